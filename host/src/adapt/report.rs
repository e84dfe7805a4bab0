//! What an adaptation session measured, and its table.

use std::fmt::Write as _;

use super::Finish;

/// Device accuracies after a number of accepted updates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Checkpoint {
    /// Updates applied on the device so far.
    pub updates: usize,
    /// Accuracy on the held-out in-domain split, in `[0, 1]` (`None`: empty split).
    pub in_domain: Option<f64>,
    /// Accuracy on the original domain's test split, in `[0, 1]` (`None`: empty split).
    pub original: Option<f64>,
    /// Mean `KL(teacher ‖ student)` (nats, at `T`) the device reported for the updates since the
    /// previous checkpoint (`None` at 0 updates).
    pub mean_loss: Option<f64>,
}

/// The outcome of [`super::adapt`].
#[derive(Clone, Debug, PartialEq)]
pub struct AdaptReport {
    /// Accuracies at 0 updates, at each checkpoint, and at the end.
    pub checkpoints: Vec<Checkpoint>,
    /// Updates the device accepted.
    pub updates: usize,
    /// Whether the steps were committed or reverted at the end.
    pub finish: Finish,
    /// Bytes of RAM the device reserves for its learner (`Info.learner_bytes`).
    pub learner_bytes: u32,
    /// Bytes of RAM the device's server uses in all: arena + learner + stack (`Stats.ram_bytes`).
    pub ram_bytes: u32,
    /// Learning steps the device counted since its reset (`Stats.learn_steps`).
    pub device_learn_steps: u32,
    /// Seconds the updates took on the wire (evaluation excluded).
    pub update_secs: f64,
}

impl AdaptReport {
    /// A Markdown table: updates → in-domain accuracy, original-domain accuracy, mean loss.
    pub fn table(&self) -> String {
        let pct = |a: Option<f64>| a.map_or("–".to_string(), |a| format!("{:.1}%", 100.0 * a));
        let mut out = String::from("| updates | in-domain acc | original acc | mean KL since previous |\n|---:|---:|---:|---:|\n");
        for c in &self.checkpoints {
            let loss = c.mean_loss.map_or("–".to_string(), |l| format!("{l:.4}"));
            // Writing to a String cannot fail.
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                c.updates,
                pct(c.in_domain),
                pct(c.original),
                loss
            );
        }
        out
    }

    /// One line: updates, commit/revert, learner RAM.
    pub fn summary(&self) -> String {
        format!(
            "{} updates {} in {:.1} s ({:.1} ms/update); device learner RAM {} B, server RAM {} B; device learn steps {}",
            self.updates,
            match self.finish {
                Finish::Commit => "committed",
                Finish::Revert => "reverted",
            },
            self.update_secs,
            if self.updates > 0 { 1000.0 * self.update_secs / self.updates as f64 } else { 0.0 },
            self.learner_bytes,
            self.ram_bytes,
            self.device_learn_steps,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lists_every_checkpoint() {
        let r = AdaptReport {
            checkpoints: vec![
                Checkpoint {
                    updates: 0,
                    in_domain: Some(0.5),
                    original: Some(0.75),
                    mean_loss: None,
                },
                Checkpoint {
                    updates: 100,
                    in_domain: Some(0.625),
                    original: None,
                    mean_loss: Some(0.125),
                },
            ],
            updates: 100,
            finish: Finish::Commit,
            learner_bytes: 16384,
            ram_bytes: 40000,
            device_learn_steps: 100,
            update_secs: 2.0,
        };
        let t = r.table();
        assert!(t.contains("| 0 | 50.0% | 75.0% | – |"), "{t}");
        assert!(t.contains("| 100 | 62.5% | – | 0.1250 |"), "{t}");
        assert!(r.summary().contains("committed") && r.summary().contains("16384 B"));
    }
}
