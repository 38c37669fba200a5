//! Circles in the graph of modules: its strongly connected components of more
//! than one module (Tarjan's algorithm, without recursion).

use std::collections::BTreeSet;

use crate::uses::Steps;

/// Each circle's modules, in ascending order; circles ordered by first module.
pub fn circles(module_count: usize, steps: &Steps) -> Vec<Vec<usize>> {
    let mut successors = vec![BTreeSet::new(); module_count];
    for &(from, to) in steps.keys() {
        successors[from].insert(to);
    }
    let successors: Vec<Vec<usize>> = successors
        .into_iter()
        .map(|s| s.into_iter().collect())
        .collect();

    const UNSEEN: usize = usize::MAX;
    let mut index = vec![UNSEEN; module_count];
    let mut low = vec![0; module_count];
    let mut on_stack = vec![false; module_count];
    let mut stack = Vec::new();
    let mut next_index = 0;
    let mut found = Vec::new();
    for root in 0..module_count {
        if index[root] != UNSEEN {
            continue;
        }
        // (node, how many of its successors were looked at)
        let mut work = vec![(root, 0)];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (node, ref mut done)) = work.last_mut() {
            if let Some(&child) = successors[node].get(*done) {
                *done += 1;
                if index[child] == UNSEEN {
                    index[child] = next_index;
                    low[child] = next_index;
                    next_index += 1;
                    stack.push(child);
                    on_stack[child] = true;
                    work.push((child, 0));
                } else if on_stack[child] {
                    low[node] = low[node].min(index[child]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == index[node] {
                let mut component = Vec::new();
                loop {
                    let member = stack.pop().expect("the node is on the stack");
                    on_stack[member] = false;
                    component.push(member);
                    if member == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort_unstable();
                    found.push(component);
                }
            }
        }
    }
    found.sort();
    found
}
