//! Matching up the elements of lists and sets before and after (Terraform's
//! `collections.ProcessSlice` and `processSet`).

use super::{Change, compare, normalize, slice_default_action};
use crate::Action;
use crate::render::diff::Diff;
use terrane_types::Value;

/// `TransformSlice`: elements matched by their longest common subsequence.
pub(super) fn transform_slice(
    change: &Change,
    is_object: impl Fn(&Value) -> bool,
    element: impl Fn(&Change) -> Diff,
) -> (Vec<Diff>, Action) {
    let mut current = slice_default_action(change);
    let (b, a) = change.seqs();
    let before: Vec<Value> = b.iter().map(normalize).collect();
    let after: Vec<Value> = a.iter().map(normalize).collect();
    let mut elems = Vec::new();
    process_slice(
        &before,
        &after,
        |v| is_object(v),
        |bi, ai| {
            let d = element(&change.element(bi, ai));
            current = compare(current, d.action);
            elems.push(d);
        },
    );
    (elems, current)
}

/// Terraform's `ProcessSlice`: walks two sequences in step, calling `process(before_index,
/// after_index)` with an out-of-range index for an element only on one side. Elements of the
/// longest common subsequence (found with `similar`) pair up; objects facing each other outside
/// it are diffed against each other.
pub(crate) fn process_slice<T: Eq + std::hash::Hash + Ord>(
    before: &[T],
    after: &[T],
    is_object: impl Fn(&T) -> bool,
    mut process: impl FnMut(usize, usize),
) {
    let reorder = before.len() == after.len() && before.iter().all(|b| after.contains(b));
    if before.len() == after.len() && !reorder {
        for i in 0..before.len() {
            process(i, i);
        }
        return;
    }
    let lcs: Vec<&T> = similar::capture_diff_slices(similar::Algorithm::Lcs, before, after)
        .iter()
        .filter_map(|op| match *op {
            similar::DiffOp::Equal { old_index, len, .. } => {
                Some(&before[old_index..old_index + len])
            }
            _ => None,
        })
        .flatten()
        .collect();
    let (mut bi, mut ai, mut li) = (0, 0, 0);
    while bi < before.len() || ai < after.len() || li < lcs.len() {
        while bi < before.len() && (li >= lcs.len() || &before[bi] != lcs[li]) {
            let object_pair = is_object(&before[bi])
                && ai < after.len()
                && is_object(&after[ai])
                && (li >= lcs.len() || &after[ai] != lcs[li]);
            if object_pair {
                process(bi, ai);
                ai += 1;
            } else {
                process(bi, after.len());
            }
            bi += 1;
        }
        while ai < after.len() && (li >= lcs.len() || &after[ai] != lcs[li]) {
            process(before.len(), ai);
            ai += 1;
        }
        if li < lcs.len() {
            process(bi, ai);
            bi += 1;
            ai += 1;
            li += 1;
        }
    }
}

/// Terraform's `processSet`: equal elements pair up; the rest are deleted or created.
pub(super) fn process_set(change: &Change, mut process: impl FnMut(&Change)) {
    let (b, a) = change.seqs();
    let before: Vec<Value> = b.iter().map(normalize).collect();
    let after: Vec<Value> = a.iter().map(normalize).collect();
    let mut found_before: Vec<Option<usize>> = vec![None; b.len()];
    let mut found_after: Vec<bool> = vec![false; a.len()];
    for (i, found) in found_before.iter_mut().enumerate() {
        for (j, taken) in found_after.iter_mut().enumerate() {
            let same = !*taken
                && before[i] == after[j]
                && b[i].is_sensitive() == a[j].is_sensitive()
                && !matches!(a[j].unmarked(), Value::Unknown(_));
            if same {
                *found = Some(j);
                *taken = true;
            }
        }
    }
    for (i, found) in found_before.iter().enumerate() {
        process(&change.element(i, found.unwrap_or(a.len())));
    }
    for (j, taken) in found_after.iter().enumerate() {
        if !taken {
            process(&change.element(b.len(), j));
        }
    }
}
