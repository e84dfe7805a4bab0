//! The grid of a sweep and the cells it expands into.

use serde::{Deserialize, Serialize};

use super::SweepError;
use crate::augment::Method;
use crate::mode::Mode;

/// Training-set size of a cell: a stratified subsample, or the whole training split.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Size {
    /// `n` examples, stratified.
    N(usize),
    /// The whole training split (`"full"` in the grid file).
    #[serde(with = "full")]
    Full,
}

mod full {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("full")
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<(), D::Error> {
        let s = String::deserialize(d)?;
        if s == "full" {
            Ok(())
        } else {
            Err(serde::de::Error::custom(format!(
                "size {s:?}: expected a number or \"full\""
            )))
        }
    }
}

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Size::N(n) => write!(f, "{n}"),
            Size::Full => f.write_str("full"),
        }
    }
}

/// Which teacher a KD cell distils from (issue 17's teacher control). FT cells have no teacher and
/// carry the default, [`TeacherKind::Shared`].
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum TeacherKind {
    /// One teacher per (corpus, data draw), fine-tuned on that draw's subsample of
    /// `--teacher-train-size` originals (2,000 by default), whatever the cell's size: the sweep's
    /// teacher before the control existed.
    #[default]
    Shared,
    /// One teacher per (corpus, data draw, size), fine-tuned on exactly the cell's originals, so KD
    /// sees no label FT at the same size does not.
    Own,
}

impl TeacherKind {
    /// Whether this is the default (old results rows and FT cells).
    pub fn is_shared(&self) -> bool {
        *self == TeacherKind::Shared
    }
}

impl std::fmt::Display for TeacherKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TeacherKind::Shared => "shared",
            TeacherKind::Own => "own",
        })
    }
}

/// `teacher = "own"` or `teacher = ["shared", "own"]` in a grid file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Teachers {
    /// One teacher for every KD cell.
    One(TeacherKind),
    /// Each KD cell once per teacher listed.
    Many(Vec<TeacherKind>),
}

impl Teachers {
    /// The teachers listed, in order, without repeats.
    pub fn kinds(&self) -> Vec<TeacherKind> {
        let listed = match self {
            Teachers::One(t) => vec![*t],
            Teachers::Many(ts) => ts.clone(),
        };
        let mut out: Vec<TeacherKind> = vec![];
        for t in listed {
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }
}

/// A sweep grid, as written in `sweep.toml`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grid {
    /// Corpus names (as `edgekd` loads them, e.g. `rotten-tomatoes`, `tweets-binary`).
    pub corpora: Vec<String>,
    /// Augmentation methods.
    pub methods: Vec<Method>,
    /// Training-set sizes.
    pub sizes: Vec<Size>,
    /// Augmented copies per original.
    pub copies: Vec<usize>,
    /// Degrees (fraction of changed word tokens).
    pub degrees: Vec<f32>,
    /// KD and/or FT.
    pub modes: Vec<Mode>,
    /// Seeds (each cell is repeated once per seed).
    pub seeds: Vec<u64>,
    /// Seed of every cell's subsample and augmented copies. Without it each seed draws its own data;
    /// with it the seeds vary only the student's initialisation and batch order, and every augmented
    /// text is labelled by the teacher once for all seeds.
    #[serde(default)]
    pub data_seed: Option<u64>,
    /// The teacher(s) of the KD cells: `"shared"` (absent: the default), `"own"`, or both as a list,
    /// in which case every KD cell runs once per teacher (FT cells have no teacher and run once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teacher: Option<Teachers>,
    /// Cluster resources of `edgekd slurm submit` (the `[slurm]` table; read and checked by
    /// `edgekd_host::slurm::SlurmResources`), not part of any cell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slurm: Option<toml::Table>,
}

/// One cell of the grid. With `copies = 0` the degree and method are meaningless and are normalised to
/// `0` and the first method, so such cells are run once, not once per degree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// Corpus name.
    pub corpus: String,
    /// Augmentation method.
    pub method: Method,
    /// Training-set size.
    pub size: Size,
    /// Augmented copies per original.
    pub copies: usize,
    /// Degree.
    pub degree: f32,
    /// KD or FT.
    pub mode: Mode,
    /// Seed.
    pub seed: u64,
    /// Seed of the subsample and the copies when the grid fixes one (else `seed` is used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_seed: Option<u64>,
    /// The KD cell's teacher ([`TeacherKind`]); `"shared"` in results written before the control
    /// existed and in every FT cell.
    #[serde(default)]
    pub teacher: TeacherKind,
}

impl Cell {
    /// A stable key naming the cell, e.g. `rotten-tomatoes/synonym/n2000/c4/d0.30/kd/s1` (followed by
    /// `/data7` when the grid fixes the data seed to 7, and by `/own` for a KD cell whose teacher was
    /// fine-tuned on its own originals). A shared-teacher cell keeps the key it had before the
    /// control existed, so old results resume.
    pub fn key(&self) -> String {
        let data = self
            .data_seed
            .map(|d| format!("/data{d}"))
            .unwrap_or_default();
        let teacher = match self.teacher {
            TeacherKind::Shared => "",
            TeacherKind::Own => "/own",
        };
        format!(
            "{}/{:?}/n{}/c{}/d{:.2}/{:?}/s{}{data}{teacher}",
            self.corpus, self.method, self.size, self.copies, self.degree, self.mode, self.seed
        )
        .to_lowercase()
    }

    /// The seed of this cell's subsample and augmented copies.
    pub fn data_seed(&self) -> u64 {
        self.data_seed.unwrap_or(self.seed)
    }
}

impl Grid {
    /// Reads a grid from a TOML file.
    pub fn from_file(path: &std::path::Path) -> Result<Grid, SweepError> {
        let text = std::fs::read_to_string(path).map_err(|e| SweepError::Grid {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Grid::from_toml(&text).map_err(|message| SweepError::Grid {
            path: path.display().to_string(),
            message,
        })
    }

    /// Parses and checks a grid.
    pub fn from_toml(text: &str) -> Result<Grid, String> {
        let grid: Grid = toml::from_str(text).map_err(|e| e.to_string())?;
        let empty = [
            ("corpora", grid.corpora.is_empty()),
            ("methods", grid.methods.is_empty()),
            ("sizes", grid.sizes.is_empty()),
            ("copies", grid.copies.is_empty()),
            ("degrees", grid.degrees.is_empty()),
            ("modes", grid.modes.is_empty()),
            ("seeds", grid.seeds.is_empty()),
        ];
        if let Some((name, _)) = empty.iter().find(|(_, e)| *e) {
            return Err(format!("`{name}` is empty"));
        }
        if let Some(d) = grid.degrees.iter().find(|d| !(0.0..=1.0).contains(*d)) {
            return Err(format!("degree {d} is outside [0, 1]"));
        }
        if grid.teacher.as_ref().is_some_and(|t| t.kinds().is_empty()) {
            return Err("`teacher` is empty".into());
        }
        Ok(grid)
    }

    /// The data seeds of the grid's cells, ascending: the pinned `data_seed`, or else every seed
    /// (each its own draw of subsample, copies and teacher).
    pub fn draws(&self) -> Vec<u64> {
        let mut draws = match self.data_seed {
            Some(d) => vec![d],
            None => self.seeds.clone(),
        };
        draws.sort_unstable();
        draws.dedup();
        draws
    }

    /// The teachers of the grid's KD cells, in the grid's order (`[Shared]` when it names none).
    pub fn teachers(&self) -> Vec<TeacherKind> {
        self.teacher
            .as_ref()
            .map_or_else(|| vec![TeacherKind::Shared], Teachers::kinds)
    }

    /// Every distinct cell, in a fixed order (corpus, size, seed, mode, copies, method, degree,
    /// teacher). FT cells have no teacher: they appear once, as [`TeacherKind::Shared`].
    pub fn cells(&self) -> Vec<Cell> {
        let teachers = self.teachers();
        let mut cells: Vec<Cell> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for corpus in &self.corpora {
            for &size in &self.sizes {
                for &seed in &self.seeds {
                    for &mode in &self.modes {
                        for &copies in &self.copies {
                            for &method in &self.methods {
                                for &degree in &self.degrees {
                                    let (method, degree) = if copies == 0 {
                                        (self.methods[0], 0.0)
                                    } else {
                                        (method, degree)
                                    };
                                    let kinds: &[TeacherKind] = match mode {
                                        Mode::Kd => &teachers,
                                        Mode::Ft => &[TeacherKind::Shared],
                                    };
                                    for &teacher in kinds {
                                        let cell = Cell {
                                            corpus: corpus.clone(),
                                            method,
                                            size,
                                            copies,
                                            degree,
                                            mode,
                                            seed,
                                            data_seed: self.data_seed,
                                            teacher,
                                        };
                                        if seen.insert(cell.key()) {
                                            cells.push(cell);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        cells
    }
}

/// The part `index` of `count` of a grid: cells whose position modulo `count` is `index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard, `0 ≤ index < count`.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl Shard {
    /// The whole grid.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Parses `i/n`.
    pub fn parse(spec: &str) -> Result<Shard, SweepError> {
        let bad = || SweepError::Shard(spec.to_string());
        let (i, n) = spec.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether the cell at `position` of the grid belongs to this shard.
    pub fn contains(&self, position: usize) -> bool {
        position % self.count == self.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRID: &str = r#"
corpora = ["rotten-tomatoes"]
methods = ["synonym", "knn"]
sizes = [500, "full"]
copies = [0, 4]
degrees = [0.1, 0.3]
modes = ["kd", "ft"]
seeds = [1, 2]
"#;

    #[test]
    fn expands_without_repeating_copies_zero_cells() {
        let grid = Grid::from_toml(GRID).unwrap();
        let cells = grid.cells();
        // Per (size, seed, mode): 1 cell with no copies + 2 methods × 2 degrees with 4 copies.
        assert_eq!(cells.len(), 2 * 2 * 2 * (1 + 4));
        let keys: std::collections::HashSet<_> = cells.iter().map(Cell::key).collect();
        assert_eq!(keys.len(), cells.len());
        assert!(keys.contains("rotten-tomatoes/synonym/nfull/c0/d0.00/ft/s2"));
        assert!(keys.contains("rotten-tomatoes/knn/n500/c4/d0.30/kd/s1"));
    }

    #[test]
    fn a_fixed_data_seed_is_part_of_the_key() {
        let grid = Grid::from_toml(&format!("{GRID}\ndata_seed = 7\n")).unwrap();
        let cell = &grid.cells()[0];
        assert_eq!(cell.data_seed(), 7);
        assert!(cell.key().ends_with("/s1/data7"), "{}", cell.key());
        assert_eq!(grid.draws(), [7]);
        let free_grid = Grid::from_toml(GRID).unwrap();
        let free = &free_grid.cells()[0];
        assert_eq!(free.data_seed(), free.seed);
        assert!(free.key().ends_with("/s1"));
        // Without a pinned data seed, every seed is its own draw.
        assert_eq!(free_grid.draws(), [1, 2]);
        assert!(free_grid.cells().iter().all(|c| c.data_seed() == c.seed));
    }

    #[test]
    fn bad_grids_are_refused_with_the_reason() {
        let missing = GRID.replace("seeds = [1, 2]", "seeds = []");
        assert!(Grid::from_toml(&missing).unwrap_err().contains("seeds"));
        let degree = GRID.replace("0.3]", "1.5]");
        assert!(Grid::from_toml(&degree).unwrap_err().contains("1.5"));
        let size = GRID.replace("\"full\"", "\"half\"");
        assert!(Grid::from_toml(&size).is_err());
        let extra = format!("{GRID}\nbatch = 3\n");
        assert!(Grid::from_toml(&extra).unwrap_err().contains("batch"));
        // The `[slurm]` table is the cluster's, not a cell's: the cells are the same with it.
        let slurm = Grid::from_toml(&format!("{GRID}\n[slurm]\ntasks = 8\n")).unwrap();
        assert_eq!(slurm.cells(), Grid::from_toml(GRID).unwrap().cells());
        assert!(slurm.slurm.unwrap().contains_key("tasks"));
    }

    #[test]
    fn both_teachers_double_the_kd_cells_only_and_keys_stay_unique() {
        let both = Grid::from_toml(&format!("{GRID}\nteacher = [\"shared\", \"own\"]\n")).unwrap();
        let shared = Grid::from_toml(GRID).unwrap();
        // Absent and "shared" are today's grid, cell for cell and key for key.
        let explicit = Grid::from_toml(&format!("{GRID}\nteacher = \"shared\"\n")).unwrap();
        assert_eq!(explicit.cells(), shared.cells());
        assert_eq!(shared.teachers(), [TeacherKind::Shared]);
        let kd = shared.cells().iter().filter(|c| c.mode == Mode::Kd).count();
        let cells = both.cells();
        assert_eq!(cells.len(), shared.cells().len() + kd);
        let keys: std::collections::HashSet<_> = cells.iter().map(Cell::key).collect();
        assert_eq!(keys.len(), cells.len());
        assert!(keys.contains("rotten-tomatoes/knn/n500/c4/d0.30/kd/s1/own"));
        assert!(keys.contains("rotten-tomatoes/knn/n500/c4/d0.30/kd/s1"));
        // FT has no teacher: it runs once, under its old key.
        assert!(cells
            .iter()
            .filter(|c| c.mode == Mode::Ft)
            .all(|c| c.teacher == TeacherKind::Shared && !c.key().ends_with("/own")));
        // "own" alone: every KD cell is an own-teacher cell, after the pinned data seed in the key.
        let own = Grid::from_toml(&format!("{GRID}\ndata_seed = 7\nteacher = \"own\"\n")).unwrap();
        let kd_own: Vec<Cell> = own
            .cells()
            .into_iter()
            .filter(|c| c.mode == Mode::Kd)
            .collect();
        assert!(kd_own.iter().all(|c| c.teacher == TeacherKind::Own));
        assert!(
            kd_own[0].key().ends_with("/s1/data7/own"),
            "{}",
            kd_own[0].key()
        );
        // A listed teacher twice is one teacher; an empty list or an unknown teacher is refused.
        let twice = Grid::from_toml(&format!("{GRID}\nteacher = [\"own\", \"own\"]\n")).unwrap();
        assert_eq!(twice.teachers(), [TeacherKind::Own]);
        assert!(Grid::from_toml(&format!("{GRID}\nteacher = []\n"))
            .unwrap_err()
            .contains("teacher"));
        assert!(Grid::from_toml(&format!("{GRID}\nteacher = \"big\"\n")).is_err());
    }

    #[test]
    fn the_control_grid_runs_both_teachers_on_independent_draws() {
        let text = include_str!("../../../docs/results/paper-sweep/control.toml");
        let grid = Grid::from_toml(text).unwrap();
        assert_eq!(grid.data_seed, None);
        assert_eq!(grid.draws(), [1, 2, 3, 4, 5]);
        assert_eq!(grid.teachers(), [TeacherKind::Shared, TeacherKind::Own]);
        let cells = grid.cells();
        // Per size and seed: FT at 2 degrees, KD at 2 degrees × 2 teachers.
        assert_eq!(cells.len(), 2 * 5 * (2 + 2 * 2));
        let own = cells.iter().filter(|c| c.teacher == TeacherKind::Own);
        assert_eq!(own.count(), 2 * 5 * 2);
    }

    #[test]
    fn the_multi_class_and_spam_grids_run_knn_beside_synonym_on_independent_draws() {
        let degree = Grid::from_toml(include_str!(
            "../../../docs/results/paper-sweep/multi-degree.toml"
        ))
        .unwrap();
        let amount = Grid::from_toml(include_str!(
            "../../../docs/results/paper-sweep/multi-amount.toml"
        ))
        .unwrap();
        for grid in [&degree, &amount] {
            // The corpus loader's names: the three-way tweets and the spam e-mail.
            assert_eq!(grid.corpora, ["tweets", "spam"]);
            assert_eq!(grid.methods, [Method::Synonym, Method::Knn]);
            assert_eq!(grid.data_seed, None);
            assert_eq!(grid.draws(), [1, 2, 3, 4, 5]);
            assert_eq!(grid.teachers(), [TeacherKind::Own]);
        }
        assert_eq!(degree.sizes, [Size::N(500), Size::N(2000), Size::Full]);
        // Per corpus, size and seed: copies 0 once and 2 methods × 6 degrees, KD and FT.
        assert_eq!(degree.cells().len(), 2 * 3 * 5 * 2 * (1 + 2 * 6));
        // Per corpus, size and seed: 2 methods × 3 copies, KD and FT.
        assert_eq!(amount.cells().len(), 2 * 2 * 5 * 2 * (2 * 3));
        // 30 teachers: one per corpus, draw and size.
        let teachers: std::collections::BTreeSet<(String, u64, Size)> = degree
            .cells()
            .into_iter()
            .filter(|c| c.mode == Mode::Kd)
            .map(|c| (c.corpus.clone(), c.data_seed(), c.size))
            .collect();
        assert_eq!(teachers.len(), 30);
    }

    #[test]
    fn a_cell_without_a_teacher_field_is_a_shared_teacher_cell() {
        let old = r#"{"corpus":"rotten-tomatoes","method":"synonym","size":500,"copies":4,"degree":0.3,"mode":"kd","seed":1}"#;
        let cell: Cell = serde_json::from_str(old).unwrap();
        assert_eq!(cell.teacher, TeacherKind::Shared);
        assert_eq!(cell.key(), "rotten-tomatoes/synonym/n500/c4/d0.30/kd/s1");
        let own = Cell {
            teacher: TeacherKind::Own,
            ..cell
        };
        let json = serde_json::to_string(&own).unwrap();
        assert!(json.contains(r#""teacher":"own""#), "{json}");
        assert_eq!(serde_json::from_str::<Cell>(&json).unwrap(), own);
    }

    #[test]
    fn shards_partition_the_grid() {
        assert_eq!(Shard::parse("1/3").unwrap(), Shard { index: 1, count: 3 });
        for bad in ["3/3", "1", "a/2", "0/0"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        let n = Grid::from_toml(GRID).unwrap().cells().len();
        let shards: Vec<Shard> = (0..3).map(|index| Shard { index, count: 3 }).collect();
        for position in 0..n {
            assert_eq!(shards.iter().filter(|s| s.contains(position)).count(), 1);
        }
    }
}
