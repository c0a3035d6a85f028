use super::FuncDef;

pub(super) const FUNCTIONS: &[FuncDef] = &[];
