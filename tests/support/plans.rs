//! Reads the plans auto_explain sends back as notices and finds which
//! partitions each statement touched.

use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Plan {
    pub query: String,
    /// (parent table, city id without dashes) of every partition in the plan.
    pub partitions: Vec<(String, String)>,
}

/// Parses one auto_explain notice ("duration: … plan:\n{json}").
pub fn parse(notice: &str) -> Option<Plan> {
    let json: Value = serde_json::from_str(&notice[notice.find('{')?..]).ok()?;
    let mut partitions = Vec::new();
    walk(json.get("Plan")?, &mut partitions);
    Some(Plan {
        query: json.get("Query Text")?.as_str()?.to_owned(),
        partitions,
    })
}

fn walk(node: &Value, out: &mut Vec<(String, String)>) {
    if let Some(name) = node.get("Relation Name").and_then(Value::as_str)
        && let Some((parent, city)) = name.rsplit_once("_p_")
        && city.len() == 32
        && city.chars().all(|c| c.is_ascii_hexdigit())
    {
        out.push((parent.to_owned(), city.to_owned()));
    }
    for child in node
        .get("Plans")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        walk(child, out);
    }
}

/// Problems of a plan run for `city`: a partition of another city, or more
/// than one partition of one table (no pruning).
pub fn problems(plan: &Plan, city: uuid::Uuid) -> Vec<String> {
    let want = city.simple().to_string();
    let mut out = Vec::new();
    for (parent, c) in &plan.partitions {
        if *c != want {
            out.push(format!(
                "{parent}: touches the partition of city {c} in: {}",
                plan.query
            ));
        }
    }
    let mut parents: Vec<&String> = plan.partitions.iter().map(|(p, _)| p).collect();
    parents.sort();
    let total = parents.len();
    parents.dedup();
    if parents.len() != total {
        out.push(format!(
            "more than one partition per table ({total} scans) in: {}",
            plan.query
        ));
    }
    out
}
