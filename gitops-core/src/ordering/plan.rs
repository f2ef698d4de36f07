//! The sync plan: tasks, the dependency graph and batches.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use petgraph::{algo::tarjan_scc, graph::DiGraph, graph::NodeIndex};

use super::{SortKey, SyncPhase};
use crate::{
    Error, Manifest, ManifestSet, ResourceKey,
    annotations::{HookType, SyncOptions, SyncWave},
};

/// What a task does to its object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum TaskAction {
    /// Create or update the object from the desired state.
    Apply,
    /// Delete a live object that left the desired state.
    Prune,
}

/// One step of work on one object.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncTask {
    /// The object.
    pub key: ResourceKey,
    /// The phase it runs in (after implicit-dependency adjustment).
    pub phase: SyncPhase,
    /// The wave it runs in (after implicit-dependency adjustment, prune mirroring and PruneLast).
    pub wave: SyncWave,
    /// Apply or prune.
    pub action: TaskAction,
    /// For a hook, the hook type this task runs as (`PreSync` for a PreSync task...).
    pub hook: Option<HookType>,
}

/// Tasks that may run in parallel. Every task has the batch's phase, wave and action; every
/// earlier batch must be complete (and, between waves, healthy) before this one starts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Batch {
    /// Sync phase.
    pub phase: SyncPhase,
    /// Sync wave.
    pub wave: SyncWave,
    /// Apply or prune.
    pub action: TaskAction,
    /// The tasks, in sort order.
    pub tasks: Vec<SyncTask>,
}

/// Options of [`plan_with`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlanOptions {
    /// Application-level `PruneLast=true`: every prune goes after the last wave.
    pub prune_last: bool,
}

impl PlanOptions {
    /// Sets [`PlanOptions::prune_last`].
    #[must_use]
    pub fn prune_last(mut self, prune_last: bool) -> Self {
        self.prune_last = prune_last;
        self
    }
}

/// An ordered list of [`Batch`]es; see the [module docs](super).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncPlan {
    batches: Vec<Batch>,
}

impl SyncPlan {
    /// The batches, in execution order.
    pub fn batches(&self) -> &[Batch] {
        &self.batches
    }

    /// The batches, consuming the plan.
    pub fn into_batches(self) -> Vec<Batch> {
        self.batches
    }

    /// Every task, in execution order.
    pub fn tasks(&self) -> impl Iterator<Item = &SyncTask> {
        self.batches.iter().flat_map(|b| &b.tasks)
    }

    /// The distinct (phase, wave) steps, in order.
    pub fn steps(&self) -> Vec<(SyncPhase, SyncWave)> {
        let mut out: Vec<(SyncPhase, SyncWave)> = Vec::new();
        for b in &self.batches {
            if out.last() != Some(&(b.phase, b.wave)) {
                out.push((b.phase, b.wave));
            }
        }
        out
    }

    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.batches.is_empty()
    }
}

/// Plans the sync of a desired state with nothing to prune; see [`plan_with`].
pub fn plan(desired: &ManifestSet) -> Result<SyncPlan, Error> {
    plan_with(desired, [], &PlanOptions::default())
}

/// Plans the sync of `desired`, pruning the live objects `prune` (callers pass the live objects
/// that are managed but no longer desired; this function does not check that). See the
/// [module docs](super) for the rules.
///
/// # Errors
/// [`Error::InvalidAnnotation`] for a bad sync-wave, hook, sync-options or depends-on annotation;
/// [`Error::MissingDependency`], [`Error::DependencyInLaterWave`], [`Error::DependencyCycle`].
pub fn plan_with<'a>(
    desired: &ManifestSet,
    prune: impl IntoIterator<Item = &'a Manifest>,
    options: &PlanOptions,
) -> Result<SyncPlan, Error> {
    let mut tasks = apply_tasks(desired)?;
    tasks.sort_by(|a, b| a.sort.cmp(&b.sort));
    adjust_implicit_dependencies(&mut tasks);
    let prunes = prune_tasks(prune, &tasks, options)?;

    // Group the apply tasks into (phase, wave) steps, contiguous after adjustment.
    let mut steps: BTreeMap<(SyncPhase, SyncWave), Step> = BTreeMap::new();
    for (index, task) in tasks.iter().enumerate() {
        steps
            .entry((task.task.phase, task.task.wave))
            .or_default()
            .applies
            .push(index);
    }
    for task in prunes {
        steps
            .entry((task.phase, task.wave))
            .or_default()
            .prunes
            .push(task);
    }

    let graph = dependency_graph(&tasks)?;
    let mut batches = Vec::new();
    for ((phase, wave), mut step) in steps {
        if !step.prunes.is_empty() {
            step.prunes.sort_by(|a, b| a.key.cmp(&b.key));
            batches.push(Batch {
                phase,
                wave,
                action: TaskAction::Prune,
                tasks: step.prunes,
            });
        }
        for members in batch_step(&step.applies, &tasks, &graph) {
            let tasks = members.into_iter().map(|i| tasks[i].task.clone()).collect();
            batches.push(Batch {
                phase,
                wave,
                action: TaskAction::Apply,
                tasks,
            });
        }
    }
    Ok(SyncPlan { batches })
}

#[derive(Default)]
struct Step {
    applies: Vec<usize>,
    prunes: Vec<SyncTask>,
}

struct Planned {
    task: SyncTask,
    sort: SortKey,
    /// Explicit dependencies of the object.
    depends_on: Vec<ResourceKey>,
    /// For a Namespace: its name; for a CRD: `group/Kind` it defines.
    provides: Option<String>,
    /// The Namespace and `group/Kind` this object needs, as `ns:<name>` / `crd:<group>/<Kind>`.
    needs: [Option<String>; 2],
}

fn apply_tasks(desired: &ManifestSet) -> Result<Vec<Planned>, Error> {
    let mut out = Vec::new();
    for manifest in desired {
        let key = manifest.key();
        let wave = manifest.sync_wave()?;
        let depends_on = manifest.depends_on()?;
        let phases: Vec<(SyncPhase, Option<HookType>)> = match manifest.hooks()? {
            Some(hooks) if hooks.is_ignored() => Vec::new(),
            Some(hooks) => hooks
                .types()
                .filter_map(|t| Some((t.sync_phase()?, Some(t))))
                .collect(),
            None => vec![(SyncPhase::Sync, None)],
        };
        let provides = provides(manifest);
        let needs = [
            key.namespace.as_ref().map(|ns| format!("ns:{ns}")),
            Some(format!("crd:{}/{}", key.group, key.kind)),
        ];
        for (phase, hook) in phases {
            out.push(Planned {
                sort: SortKey::new(&key, phase, wave),
                task: SyncTask {
                    key: key.clone(),
                    phase,
                    wave,
                    action: TaskAction::Apply,
                    hook,
                },
                depends_on: depends_on.clone(),
                provides: provides.clone(),
                needs: needs.clone(),
            });
        }
    }
    Ok(out)
}

fn provides(manifest: &Manifest) -> Option<String> {
    let gvk = manifest.gvk();
    if gvk.group.is_empty() && gvk.kind == "Namespace" {
        return Some(format!("ns:{}", manifest.name()));
    }
    if gvk.group == "apiextensions.k8s.io" && gvk.kind == "CustomResourceDefinition" {
        let v = manifest.as_value();
        let group = v.pointer("/spec/group").and_then(serde_json::Value::as_str)?;
        let kind = v
            .pointer("/spec/names/kind")
            .and_then(serde_json::Value::as_str)?;
        return Some(format!("crd:{group}/{kind}"));
    }
    None
}

/// gitops-engine's `adjustDeps`, for Namespaces and CRDs at once: a provider that sorts after
/// the first task needing it moves right before that task and takes its phase and wave.
fn adjust_implicit_dependencies(tasks: &mut Vec<Planned>) {
    let mut first_needing: HashMap<String, usize> = HashMap::new();
    let mut i = 0;
    while i < tasks.len() {
        if let Some(provided) = tasks[i].provides.clone() {
            if let Some(&index) = first_needing.get(&provided) {
                let (phase, wave) = (tasks[index].task.phase, tasks[index].task.wave);
                let mut moved = tasks.remove(i);
                moved.task.phase = phase;
                moved.task.wave = wave;
                tasks.insert(index, moved);
                for v in first_needing.values_mut() {
                    if *v >= index {
                        *v += 1;
                    }
                }
            }
        } else {
            for need in tasks[i].needs.iter().flatten() {
                first_needing.entry(need.clone()).or_insert(i);
            }
        }
        i += 1;
    }
}

fn prune_tasks<'a>(
    prune: impl IntoIterator<Item = &'a Manifest>,
    applies: &[Planned],
    options: &PlanOptions,
) -> Result<Vec<SyncTask>, Error> {
    let mut tasks = Vec::new();
    let mut prune_last = Vec::new();
    for manifest in prune {
        let wave = manifest.sync_wave()?;
        let opts: SyncOptions = manifest.sync_options()?;
        prune_last.push(options.prune_last || opts.is_prune_last());
        tasks.push(SyncTask {
            key: manifest.key(),
            phase: SyncPhase::Sync,
            wave,
            action: TaskAction::Prune,
            hook: None,
        });
    }
    // Mirror the prune waves: the highest wave is pruned first.
    let waves: Vec<SyncWave> = tasks
        .iter()
        .map(|t| t.wave)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mirror: HashMap<SyncWave, SyncWave> = waves
        .iter()
        .zip(waves.iter().rev())
        .map(|(from, to)| (*from, *to))
        .collect();
    for task in &mut tasks {
        task.wave = mirror[&task.wave];
    }
    // PruneLast: one wave after the last Sync-phase wave (counting mirrored prunes, at least 0).
    let last = applies
        .iter()
        .map(|p| &p.task)
        .chain(&tasks)
        .filter(|t| t.phase == SyncPhase::Sync)
        .map(|t| t.wave.0)
        .fold(0, i32::max);
    for (task, last_flag) in tasks.iter_mut().zip(prune_last) {
        if last_flag {
            task.wave = SyncWave(last.saturating_add(1));
        }
    }
    Ok(tasks)
}

/// The dependency graph over apply tasks: edges from a dependency to its dependent, within a
/// (phase, wave) step. Checks missing dependencies, later-wave dependencies and cycles.
fn dependency_graph(tasks: &[Planned]) -> Result<DiGraph<usize, ()>, Error> {
    let mut graph = DiGraph::<usize, ()>::with_capacity(tasks.len(), 0);
    let nodes: Vec<NodeIndex> = (0..tasks.len()).map(|i| graph.add_node(i)).collect();
    let mut by_key: HashMap<&ResourceKey, Vec<usize>> = HashMap::new();
    let mut by_provided: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, t) in tasks.iter().enumerate() {
        by_key.entry(&t.task.key).or_default().push(i);
        if let Some(p) = &t.provides {
            by_provided.entry(p.as_str()).or_default().push(i);
        }
    }
    let step = |i: usize| (tasks[i].task.phase, tasks[i].task.wave);
    for (i, t) in tasks.iter().enumerate() {
        // Implicit: Namespace and CRD providers in the same step.
        for need in t.needs.iter().flatten() {
            for &p in by_provided.get(need.as_str()).into_iter().flatten() {
                if p != i && step(p) == step(i) {
                    graph.update_edge(nodes[p], nodes[i], ());
                }
            }
        }
        // Explicit: gitops.rs/depends-on.
        for dep in &t.depends_on {
            let Some(found) = by_key.get(dep) else {
                return Err(Error::MissingDependency {
                    key: t.task.key.clone(),
                    dependency: dep.clone(),
                });
            };
            let same: Vec<usize> = found.iter().copied().filter(|&d| step(d) == step(i)).collect();
            if same.is_empty() {
                let earliest = found.iter().copied().min_by_key(|&d| step(d)).unwrap_or(i);
                if step(earliest) > step(i) {
                    return Err(Error::DependencyInLaterWave {
                        key: t.task.key.clone(),
                        phase: t.task.phase,
                        wave: t.task.wave.0,
                        dependency: dep.clone(),
                        dependency_phase: tasks[earliest].task.phase,
                        dependency_wave: tasks[earliest].task.wave.0,
                    });
                }
            }
            for d in same {
                graph.update_edge(nodes[d], nodes[i], ());
            }
        }
    }
    let mut cycles: Vec<Vec<ResourceKey>> = tarjan_scc(&graph)
        .into_iter()
        .filter(|scc| scc.len() > 1 || graph.contains_edge(scc[0], scc[0]))
        .map(|scc| {
            let keys: BTreeSet<ResourceKey> = scc.iter().map(|n| tasks[graph[*n]].task.key.clone()).collect();
            keys.into_iter().collect()
        })
        .collect();
    cycles.sort();
    if let Some(members) = cycles.into_iter().next() {
        return Err(Error::DependencyCycle { members });
    }
    Ok(graph)
}

/// Kahn's algorithm over one step, releasing one kind run at a time: the ready task that sorts
/// first picks the run, and every ready task of that run joins the batch.
fn batch_step(members: &[usize], tasks: &[Planned], graph: &DiGraph<usize, ()>) -> Vec<Vec<usize>> {
    // Run id: consecutive tasks of the same kind share one.
    let mut run = HashMap::new();
    let mut current = 0usize;
    for (n, &i) in members.iter().enumerate() {
        if n > 0 && tasks[members[n - 1]].task.key.kind != tasks[i].task.key.kind {
            current += 1;
        }
        run.insert(i, current);
    }
    let mut indegree: HashMap<usize, usize> = members.iter().map(|&i| (i, 0)).collect();
    for &i in members {
        for dependent in graph.neighbors(NodeIndex::new(i)) {
            if let Some(d) = indegree.get_mut(&graph[dependent]) {
                *d += 1;
            }
        }
    }
    let mut ready: BTreeSet<usize> = members.iter().copied().filter(|i| indegree[i] == 0).collect();
    let mut out = Vec::new();
    while let Some(&first) = ready.iter().next() {
        let r = run[&first];
        let batch: Vec<usize> = ready.iter().copied().filter(|i| run[i] == r).collect();
        for i in &batch {
            ready.remove(i);
            for dependent in graph.neighbors(NodeIndex::new(*i)) {
                let d = graph[dependent];
                if let Some(deg) = indegree.get_mut(&d) {
                    *deg -= 1;
                    if *deg == 0 {
                        ready.insert(d);
                    }
                }
            }
        }
        out.push(batch);
    }
    out
}
