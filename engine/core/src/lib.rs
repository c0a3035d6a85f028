//! The dependency graph of a configuration and the walks over it (validate, plan, apply).
