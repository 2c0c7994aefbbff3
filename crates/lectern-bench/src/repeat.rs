//! Repeated runs: each system measured several times, in turn with the
//! other systems, and summarised by its median run.
//!
//! On a shared virtual machine one run's CPU figures move by 10 % and more
//! from run to run, for every system alike. Taking the systems in turn and
//! keeping each one's median run lets a drift of the machine reach every
//! system, and keeps one slow or fast run from deciding a comparison.

/// The runs behind one system's result, recorded in its results file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Repeats {
    /// Runs of the system that produced a result.
    pub runs: usize,
    /// The field whose median chose the result that is kept.
    pub figure: &'static str,
    /// That field in every run, in run order; `null` where a run had none.
    pub values: Vec<Option<f64>>,
}

/// Returns the run whose `figure` is the median of all runs, with the
/// summary of every run, or `None` when `runs` is empty.
///
/// With an even number of runs the lower of the two middle runs is kept,
/// because a result must be one run's measurements, not a mix of two.
/// The median is taken over the runs that have the figure. When none has
/// it, as when the server's CPU time could not be read, the first run is
/// kept.
pub fn median_run<T>(
    runs: Vec<T>,
    figure: &'static str,
    value: impl Fn(&T) -> Option<f64>,
) -> Option<(T, Repeats)> {
    let values: Vec<Option<f64>> = runs.iter().map(&value).collect();
    let mut measured: Vec<(usize, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(index, value)| value.map(|value| (index, value)))
        .collect();
    measured.sort_by(|left, right| left.1.total_cmp(&right.1));
    let median_index = match measured.len() {
        0 => 0,
        count => measured[(count - 1) / 2].0,
    };

    let repeats = Repeats {
        runs: runs.len(),
        figure,
        values,
    };
    let run = runs.into_iter().nth(median_index)?;
    Some((run, repeats))
}

/// Runs `run_once` `runs` times for every system, taking the systems in
/// turn in each round, and returns each system's runs in the order of
/// `systems`. `run_once` gets the system and the round, counted from 1.
/// The first failed run stops the rounds, and its error is returned.
pub async fn in_rounds<S: Copy, T>(
    systems: &[S],
    runs: usize,
    mut run_once: impl AsyncFnMut(S, usize) -> anyhow::Result<T>,
) -> anyhow::Result<Vec<Vec<T>>> {
    let mut runs_by_system: Vec<Vec<T>> = systems.iter().map(|_| Vec::new()).collect();
    for round in 1..=runs {
        for (system, system_runs) in systems.iter().zip(&mut runs_by_system) {
            system_runs.push(run_once(*system, round).await?);
        }
    }
    Ok(runs_by_system)
}

/// Returns each system's median run by `figure`, in the order of
/// `runs_by_system`. When more than one run was requested, `record` stores
/// the summary of every run in the run that is kept. A system without any
/// run is left out.
pub fn keep_medians<T>(
    runs_by_system: Vec<Vec<T>>,
    requested: usize,
    figure: &'static str,
    value: impl Fn(&T) -> Option<f64>,
    mut record: impl FnMut(&mut T, Repeats),
) -> Vec<T> {
    runs_by_system
        .into_iter()
        .filter_map(|runs| median_run(runs, figure, &value))
        .map(|(mut median, repeats)| {
            if requested > 1 {
                record(&mut median, repeats);
            }
            median
        })
        .collect()
}

/// Checks the `--runs` option.
pub fn runs_option(runs: usize) -> anyhow::Result<usize> {
    if runs == 0 {
        anyhow::bail!("invalid --runs 0: each system needs at least one run");
    }
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keep(values: &[Option<f64>]) -> (usize, Repeats) {
        let runs: Vec<(usize, Option<f64>)> = values.iter().copied().enumerate().collect();
        let ((index, _), repeats) = median_run(runs, "cpu", |run| run.1).expect("runs were given");
        (index, repeats)
    }

    #[test]
    fn odd_runs_keep_the_middle_value() {
        let (median, repeats) = keep(&[Some(30.0), Some(26.0), Some(28.0)]);
        assert_eq!(median, 2);
        assert_eq!(repeats.runs, 3);
        assert_eq!(repeats.figure, "cpu");
        assert_eq!(repeats.values, vec![Some(30.0), Some(26.0), Some(28.0)]);
    }

    #[test]
    fn even_runs_keep_the_lower_middle_run() {
        let (median, _) = keep(&[Some(4.0), Some(1.0), Some(3.0), Some(2.0)]);
        assert_eq!(median, 3);
    }

    #[test]
    fn runs_without_the_figure_are_not_kept() {
        let (median, repeats) = keep(&[None, Some(5.0), None]);
        assert_eq!(median, 1);
        assert_eq!(repeats.values, vec![None, Some(5.0), None]);
        let (median, _) = keep(&[Some(7.0), None, Some(5.0)]);
        assert_eq!(median, 2);
        let (median, _) = keep(&[None, None]);
        assert_eq!(median, 0);
    }

    #[test]
    fn one_run_is_kept_as_it_is() {
        let (median, repeats) = keep(&[Some(9.0)]);
        assert_eq!(median, 0);
        assert_eq!(repeats.runs, 1);
    }

    #[test]
    fn no_runs_give_no_result() {
        let runs: Vec<Option<f64>> = Vec::new();
        assert!(median_run(runs, "cpu", |run| *run).is_none());
    }

    #[test]
    fn medians_are_recorded_for_several_runs() {
        let runs_by_system = vec![
            vec![(1, 3.0), (2, 1.0), (3, 2.0)],
            Vec::new(),
            vec![(4, 5.0)],
        ];
        let mut recorded = Vec::new();
        let median = keep_medians(
            runs_by_system,
            3,
            "cpu",
            |run| Some(run.1),
            |run, repeats| {
                recorded.push((run.0, repeats.runs));
            },
        );

        assert_eq!(median, vec![(3, 2.0), (4, 5.0)]);
        assert_eq!(recorded, vec![(3, 3), (4, 1)]);
    }

    #[test]
    fn single_runs_record_nothing() {
        let mut recorded = 0;
        let median = keep_medians(
            vec![vec![7.0]],
            1,
            "cpu",
            |run| Some(*run),
            |_, _| recorded += 1,
        );

        assert_eq!(median, vec![7.0]);
        assert_eq!(recorded, 0);
    }

    #[test]
    fn zero_runs_are_rejected_by_name() {
        let error = runs_option(0)
            .expect_err("zero runs must be rejected")
            .to_string();
        assert!(error.contains("--runs 0"), "{error}");
        assert_eq!(runs_option(3).ok(), Some(3));
    }

    #[tokio::test]
    async fn rounds_take_systems_in_turn() {
        let mut calls = Vec::new();
        let runs = in_rounds(&["a", "b"], 2, async |system, round| {
            calls.push(format!("{system}{round}"));
            Ok(round * 10)
        })
        .await
        .expect("every run succeeds");

        assert_eq!(calls, ["a1", "b1", "a2", "b2"]);
        assert_eq!(runs, [vec![10, 20], vec![10, 20]]);
    }

    #[tokio::test]
    async fn failed_run_stops_rounds() {
        let mut calls = 0;
        let outcome = in_rounds(&["a", "b"], 3, async |system, round| {
            calls += 1;
            if system == "b" && round == 1 {
                anyhow::bail!("b failed");
            }
            Ok(())
        })
        .await;

        let error = outcome.expect_err("the failure is returned").to_string();
        assert_eq!(error, "b failed");
        assert_eq!(calls, 2);
    }
}
