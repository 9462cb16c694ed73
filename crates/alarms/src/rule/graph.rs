//! Relations between composite alarms: child names from references and cycle detection.

use std::collections::BTreeMap;

use super::AlarmRule;

/// The alarm name of a rule reference: an ARN `arn:…:cloudwatch:…:alarm:NAME` gives `NAME`.
pub fn child_name(reference: &str) -> &str {
    match reference.split_once(":alarm:") {
        Some((_, name)) if reference.starts_with("arn:") => name,
        _ => reference,
    }
}

/// Finds a cycle among composite alarms (`name → rule`; metric alarms are simply absent).
/// Returns the alarms of one cycle in order, first repeated at the end (`[a, b, a]`).
pub fn find_cycle(rules: &BTreeMap<String, AlarmRule>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Active,
        Done,
    }
    let mut marks: BTreeMap<&str, Mark> = BTreeMap::new();
    for root in rules.keys() {
        if marks.contains_key(root.as_str()) {
            continue;
        }
        // Iterative DFS: (node, index of the next child to visit).
        let mut stack: Vec<(&str, usize)> = vec![(root.as_str(), 0)];
        marks.insert(root.as_str(), Mark::Active);
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let children = rules.get(node).map(|r| r.child_names()).unwrap_or_default();
            if let Some(child) = children.get(*next).copied() {
                *next += 1;
                let Some((key, _)) = rules.get_key_value(child) else {
                    continue;
                };
                match marks.get(key.as_str()) {
                    Some(Mark::Active) => {
                        let start = stack.iter().position(|(n, _)| *n == key.as_str())?;
                        let mut cycle: Vec<String> = stack[start..]
                            .iter()
                            .map(|(n, _)| (*n).to_owned())
                            .collect();
                        cycle.push(key.clone());
                        return Some(cycle);
                    }
                    Some(Mark::Done) => {}
                    None => {
                        marks.insert(key.as_str(), Mark::Active);
                        stack.push((key.as_str(), 0));
                    }
                }
            } else {
                marks.insert(node, Mark::Done);
                stack.pop();
            }
        }
    }
    None
}
