//! Cluster resources of the jobs: from the grid's `[slurm]` table, overridden by flags.

use serde::{Deserialize, Serialize};

use super::SlurmError;
use crate::sweep::Grid;

/// Texts per label chunk when neither the grid nor a flag says.
pub const DEFAULT_CHUNK_SIZE: usize = 2048;

/// What the jobs ask Slurm for. Every field is optional: the grid's `[slurm]` table gives some, flags
/// of `edgekd slurm submit` override them, and what neither gives is left to the cluster's defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::Args)]
#[serde(deny_unknown_fields)]
pub struct SlurmResources {
    /// Tasks of the cells array (`sweep --shard i/N`; default 1).
    #[arg(long)]
    pub tasks: Option<usize>,
    /// Tasks of the labelling array (default: as many as `tasks`).
    #[arg(long)]
    pub label_tasks: Option<usize>,
    /// Texts per label chunk (one file of the soft-label cache each; default 2048).
    #[arg(long)]
    pub chunk_size: Option<usize>,
    /// CPUs of each task (`--cpus-per-task`).
    #[arg(long)]
    pub cpus_per_task: Option<usize>,
    /// Memory of each task (`--mem`, e.g. `8G`).
    #[arg(long)]
    pub mem: Option<String>,
    /// Time limit of each task (`--time`, e.g. `04:00:00`).
    #[arg(long)]
    pub time: Option<String>,
    /// Partition (`--partition`).
    #[arg(long)]
    pub partition: Option<String>,
    /// Generic resources of each task (`--gres`, e.g. `gpu:1` for `--backend wgpu`).
    #[arg(long)]
    pub gres: Option<String>,
}

impl SlurmResources {
    /// The grid's `[slurm]` table (all `None` without one).
    pub fn from_grid(grid: &Grid) -> Result<Self, SlurmError> {
        match &grid.slurm {
            None => Ok(Self::default()),
            Some(table) => toml::Value::Table(table.clone())
                .try_into()
                .map_err(|e: toml::de::Error| SlurmError::Resources(format!("[slurm]: {e}"))),
        }
    }

    /// These resources with every field `flags` sets replaced by the flag's value; checked.
    pub fn overridden_by(self, flags: &SlurmResources) -> Result<Self, SlurmError> {
        let merged = Self {
            tasks: flags.tasks.or(self.tasks),
            label_tasks: flags.label_tasks.or(self.label_tasks),
            chunk_size: flags.chunk_size.or(self.chunk_size),
            cpus_per_task: flags.cpus_per_task.or(self.cpus_per_task),
            mem: flags.mem.clone().or(self.mem),
            time: flags.time.clone().or(self.time),
            partition: flags.partition.clone().or(self.partition),
            gres: flags.gres.clone().or(self.gres),
        };
        merged.check()?;
        Ok(merged)
    }

    fn check(&self) -> Result<(), SlurmError> {
        let counts = [
            ("tasks", self.tasks),
            ("label_tasks", self.label_tasks),
            ("chunk_size", self.chunk_size),
            ("cpus_per_task", self.cpus_per_task),
        ];
        if let Some((name, _)) = counts.iter().find(|(_, n)| *n == Some(0)) {
            return Err(SlurmError::Resources(format!("{name} must be at least 1")));
        }
        let words = [
            ("mem", &self.mem),
            ("time", &self.time),
            ("partition", &self.partition),
            ("gres", &self.gres),
        ];
        for (name, value) in words {
            if let Some(v) = value.as_deref() {
                if v.is_empty() || !v.chars().all(|c| c.is_ascii_graphic()) {
                    return Err(SlurmError::Resources(format!(
                        "{name} {v:?} must be one word of printable characters"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Tasks of the cells array.
    pub fn cell_tasks(&self) -> usize {
        self.tasks.unwrap_or(1)
    }

    /// Tasks of the labelling array.
    pub fn label_tasks(&self) -> usize {
        self.label_tasks.unwrap_or_else(|| self.cell_tasks())
    }

    /// Texts per label chunk.
    pub fn chunk_size(&self) -> usize {
        self.chunk_size.unwrap_or(DEFAULT_CHUNK_SIZE)
    }

    /// `#SBATCH` lines of the resources a compute task asks for (CPUs, memory, time, partition, gres).
    pub fn compute_directives(&self) -> Vec<String> {
        let mut lines = vec![];
        if let Some(c) = self.cpus_per_task {
            lines.push(format!("#SBATCH --cpus-per-task={c}"));
        }
        if let Some(m) = &self.mem {
            lines.push(format!("#SBATCH --mem={m}"));
        }
        if let Some(g) = &self.gres {
            lines.push(format!("#SBATCH --gres={g}"));
        }
        lines.extend(self.placement_directives());
        lines
    }

    /// `#SBATCH` lines every job gets (time limit, partition).
    pub fn placement_directives(&self) -> Vec<String> {
        let mut lines = vec![];
        if let Some(t) = &self.time {
            lines.push(format!("#SBATCH --time={t}"));
        }
        if let Some(p) = &self.partition {
            lines.push(format!("#SBATCH --partition={p}"));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRID: &str =
        "corpora = [\"toy\"]\nmethods = [\"synonym\"]\nsizes = [100]\ncopies = [0]\n\
                        degrees = [0.0]\nmodes = [\"kd\"]\nseeds = [1]\n";

    #[test]
    fn flags_override_the_grid_table() {
        let grid = Grid::from_toml(&format!(
            "{GRID}[slurm]\ntasks = 8\nmem = \"4G\"\npartition = \"cpu\"\n"
        ))
        .unwrap();
        let table = SlurmResources::from_grid(&grid).unwrap();
        assert_eq!((table.tasks, table.mem.as_deref()), (Some(8), Some("4G")));
        let flags = SlurmResources {
            mem: Some("16G".into()),
            gres: Some("gpu:1".into()),
            ..Default::default()
        };
        let r = table.overridden_by(&flags).unwrap();
        assert_eq!(r.cell_tasks(), 8);
        assert_eq!(r.label_tasks(), 8);
        assert_eq!(r.chunk_size(), DEFAULT_CHUNK_SIZE);
        assert_eq!(
            r.compute_directives(),
            [
                "#SBATCH --mem=16G",
                "#SBATCH --gres=gpu:1",
                "#SBATCH --partition=cpu"
            ]
        );
        assert_eq!(r.placement_directives(), ["#SBATCH --partition=cpu"]);
    }

    #[test]
    fn unusable_resources_are_refused() {
        let typo = Grid::from_toml(&format!("{GRID}[slurm]\ntask = 8\n")).unwrap();
        let err = SlurmResources::from_grid(&typo).unwrap_err().to_string();
        assert!(err.contains("task"), "{err}");
        let zero = SlurmResources {
            tasks: Some(0),
            ..Default::default()
        };
        assert!(zero.overridden_by(&SlurmResources::default()).is_err());
        let spaced = SlurmResources {
            time: Some("1 day".into()),
            ..Default::default()
        };
        let err = SlurmResources::default()
            .overridden_by(&spaced)
            .unwrap_err()
            .to_string();
        assert!(err.contains("time"), "{err}");
        assert_eq!(SlurmResources::default().label_tasks(), 1);
    }
}
