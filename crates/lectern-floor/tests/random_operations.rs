//! Applies thousands of random operations from a seeded generator and checks
//! the floor's invariants after each one.
//!
//! Besides the state invariants, the test keeps a mirror built only from the
//! polled events, as a server and its clients would, and checks that it
//! matches the floor. That shows the events are complete: nothing changes
//! without an event saying so.

use std::collections::{BTreeMap, BTreeSet};

use lectern_floor::{
    DrawingCause, Floor, FloorConfig, FloorEvent, Grant, HandRate, RaisedHand, RevokeReason, Role,
    WhenFull,
};

const SEEDS: u64 = 40;
const STEPS_PER_SEED: usize = 2_500;
const LECTURERS: [&str; 2] = ["lecturer-0", "lecturer-1"];
const STUDENTS: [&str; 6] = [
    "student-0",
    "student-1",
    "student-2",
    "student-3",
    "student-4",
    "student-5",
];
/// An id that never joins.
const STRANGER: &str = "stranger";

/// SplitMix64, a small deterministic generator, so a failure replays from
/// its seed without new dependencies.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Returns a value in `0..bound`.
    fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, ids: &[&'a str]) -> &'a str {
        let index = usize::try_from(self.below(ids.len() as u64)).unwrap_or(0);
        ids.get(index).copied().unwrap_or(STRANGER)
    }
}

/// The floor as a server and its clients see it through events alone.
#[derive(Debug, Default)]
struct Mirror {
    queue: Vec<RaisedHand>,
    /// Speaker id to `(to_board, since, until)`.
    speakers: BTreeMap<String, (bool, u64, Option<u64>)>,
    muted: BTreeSet<String>,
    /// Board access the server applied to each student, set at join and
    /// by `DrawingChanged`. Entries of students who left are stale.
    board_access: BTreeMap<String, bool>,
    max_speakers: usize,
}

impl Mirror {
    fn apply(&mut self, event: &FloorEvent) {
        match event {
            FloorEvent::QueueChanged { queue } => self.queue = queue.clone(),
            FloorEvent::FloorGranted {
                participant,
                to_board,
                since,
                until,
            } => {
                self.speakers
                    .insert(participant.clone(), (*to_board, *since, *until));
            }
            FloorEvent::FloorRevoked { participant, .. } => {
                self.speakers.remove(participant);
            }
            FloorEvent::Muted { participant } => {
                self.muted.insert(participant.clone());
            }
            FloorEvent::Unmuted { participant } => {
                self.muted.remove(participant);
            }
            FloorEvent::DrawingChanged {
                participant,
                can_draw,
                ..
            } => {
                self.board_access.insert(participant.clone(), *can_draw);
            }
            FloorEvent::MaxSpeakersChanged { max_speakers } => self.max_speakers = *max_speakers,
            FloorEvent::HandRaised { .. } | FloorEvent::HandLowered { .. } => {}
        }
    }
}

/// One run of random operations.
struct Run {
    seed: u64,
    step: usize,
    random: SplitMix64,
    floor: Floor,
    mirror: Mirror,
    now: u64,
    /// Kinds of events seen, such as `floor_revoked:Replaced`, to show that
    /// the runs reach the interesting cases.
    seen: BTreeSet<String>,
}

impl Run {
    fn new(seed: u64) -> Self {
        let mut random = SplitMix64(seed);
        let config = FloorConfig {
            max_speakers: 1 + usize::try_from(random.below(3)).unwrap_or(0),
            hand_rate: HandRate {
                max_changes: 1 + u32::try_from(random.below(4)).unwrap_or(0),
                window_ms: 1_000 + random.below(9_000),
            },
        };
        let floor = Floor::new(config).expect("generated config is valid");
        let mirror = Mirror {
            max_speakers: config.max_speakers,
            ..Mirror::default()
        };
        let mut run = Self {
            seed,
            step: 0,
            random,
            floor,
            mirror,
            now: 0,
            seen: BTreeSet::new(),
        };

        for lecturer in LECTURERS {
            run.floor.join(lecturer, Role::Lecturer, false);
        }
        for student in STUDENTS {
            run.join_student(student);
        }
        run
    }

    fn join_student(&mut self, student: &str) -> bool {
        let permission = self.random.chance(30);
        let joined = self.floor.join(student, Role::Student, permission);
        if joined {
            self.mirror
                .board_access
                .insert(student.to_owned(), permission);
        }
        joined
    }

    /// Picks the sender of a lecturer command: mostly a lecturer, sometimes
    /// a student or the stranger, so that rejections happen too.
    fn lecturer_actor(&mut self) -> &'static str {
        match self.random.below(100) {
            0..85 => self.random.pick(&LECTURERS),
            85..95 => self.random.pick(&STUDENTS),
            _ => STRANGER,
        }
    }

    /// Picks the sender of a student command.
    fn student_actor(&mut self) -> &'static str {
        match self.random.below(100) {
            0..90 => self.random.pick(&STUDENTS),
            90..97 => self.random.pick(&LECTURERS),
            _ => STRANGER,
        }
    }

    /// Picks the target of a command: often a speaker or a raised hand, so
    /// that repeated grants and replacements happen.
    fn target(&mut self) -> &'static str {
        let speakers: Vec<&'static str> = STUDENTS
            .into_iter()
            .filter(|student| self.floor.holds_floor(student))
            .collect();
        let queued: Vec<&'static str> = STUDENTS
            .into_iter()
            .filter(|student| self.floor.queue_position(student).is_some())
            .collect();

        match self.random.below(100) {
            0..35 if !speakers.is_empty() => self.random.pick(&speakers),
            35..55 if !queued.is_empty() => self.random.pick(&queued),
            0..90 => self.random.pick(&STUDENTS),
            90..97 => self.random.pick(&LECTURERS),
            _ => STRANGER,
        }
    }

    fn random_grant(&mut self) -> Grant {
        let duration_ms = match self.random.below(4) {
            0 => None,
            1 => Some(0),
            _ => Some(1 + self.random.below(20_000)),
        };
        let when_full = if self.random.chance(50) {
            WhenFull::ReplaceLongest
        } else {
            WhenFull::Reject
        };
        Grant {
            to_board: self.random.chance(50),
            duration_ms,
            when_full,
        }
    }

    /// Applies one random operation and returns whether it succeeded and
    /// whether it took `now`.
    fn apply_random_operation(&mut self) -> (bool, bool) {
        self.now += self.random.below(3_000);
        let now = self.now;
        let lecturer = self.lecturer_actor();
        let student = self.student_actor();
        let target = self.target();

        match self.random.below(16) {
            0 => {
                if LECTURERS.contains(&student) {
                    (self.floor.join(student, Role::Lecturer, false), false)
                } else if student == STRANGER {
                    (false, false)
                } else {
                    (self.join_student(student), false)
                }
            }
            1 => (self.floor.leave(student, now).is_ok(), true),
            2 | 3 => (self.floor.raise_hand(student, now).is_ok(), true),
            4 => (self.floor.lower_hand(student, student, now).is_ok(), true),
            5 => (self.floor.lower_hand(lecturer, target, now).is_ok(), true),
            6 => (self.floor.lower_all_hands(lecturer, now).is_ok(), true),
            7 | 8 => {
                let grant = self.random_grant();
                (self.floor.grant(lecturer, target, grant, now).is_ok(), true)
            }
            9 => {
                let grant = self.random_grant();
                (self.floor.grant_next(lecturer, grant, now).is_ok(), true)
            }
            10 => (self.floor.revoke(lecturer, target, now).is_ok(), true),
            11 => {
                let revoke_all = self.random.chance(50);
                if revoke_all {
                    (self.floor.revoke_all(lecturer, now).is_ok(), true)
                } else {
                    (self.floor.leave(target, now).is_ok(), true)
                }
            }
            12 => (self.floor.mute(lecturer, target).is_ok(), false),
            13 => (self.floor.unmute(lecturer, target).is_ok(), false),
            14 => {
                let allowed = self.random.chance(50);
                let result = self.floor.set_drawing_permission(target, allowed);
                (result.is_ok(), false)
            }
            _ => {
                if self.random.chance(80) {
                    self.floor.tick(now);
                    (true, true)
                } else {
                    let max = 1 + usize::try_from(self.random.below(3)).unwrap_or(0);
                    (
                        self.floor.set_max_speakers(lecturer, max, now).is_ok(),
                        true,
                    )
                }
            }
        }
    }

    fn context(&self) -> String {
        format!("seed {} step {}", self.seed, self.step)
    }

    /// Drains the events into the mirror. A failed operation may only have
    /// ended expired grants.
    fn apply_events(&mut self, succeeded: bool) {
        while let Some(event) = self.floor.poll_event() {
            if !succeeded {
                let from_expiry = matches!(
                    event,
                    FloorEvent::FloorRevoked {
                        reason: RevokeReason::Expired,
                        ..
                    } | FloorEvent::DrawingChanged {
                        cause: DrawingCause::BoardRevoked | DrawingCause::PermissionRestored,
                        ..
                    }
                );
                assert!(
                    from_expiry,
                    "{}: failed operation queued {event:?}",
                    self.context()
                );
            }
            self.seen.insert(event_kind(&event));
            self.mirror.apply(&event);
        }
    }

    fn check_invariants(&self, took_now: bool) {
        let context = self.context();
        let snapshot = self.floor.snapshot();
        let speaker_ids: Vec<&str> = snapshot
            .speakers
            .iter()
            .map(|speaker| speaker.participant.as_str())
            .collect();
        let queue_ids: Vec<&str> = snapshot
            .queue
            .iter()
            .map(|hand| hand.participant.as_str())
            .collect();

        assert!(
            speaker_ids.len() <= snapshot.max_speakers,
            "{context}: {} speakers above the limit {}",
            speaker_ids.len(),
            snapshot.max_speakers
        );
        assert_eq!(
            snapshot.max_speakers,
            self.floor.config().max_speakers,
            "{context}: snapshot limit differs from config"
        );

        let unique_queue: BTreeSet<&str> = queue_ids.iter().copied().collect();
        assert_eq!(
            unique_queue.len(),
            queue_ids.len(),
            "{context}: duplicate in queue {queue_ids:?}"
        );
        let unique_speakers: BTreeSet<&str> = speaker_ids.iter().copied().collect();
        assert_eq!(
            unique_speakers.len(),
            speaker_ids.len(),
            "{context}: duplicate speaker {speaker_ids:?}"
        );

        for speaker in &speaker_ids {
            assert!(
                !unique_queue.contains(speaker),
                "{context}: speaker {speaker} is in the queue"
            );
            assert_eq!(
                self.floor.role(speaker),
                Some(Role::Student),
                "{context}: speaker {speaker} is not a present student"
            );
        }
        for hand in &queue_ids {
            assert_eq!(
                self.floor.role(hand),
                Some(Role::Student),
                "{context}: hand {hand} is not a present student"
            );
        }

        let raise_times: Vec<u64> = snapshot.queue.iter().map(|hand| hand.raised_at).collect();
        assert!(
            raise_times.is_sorted(),
            "{context}: queue out of raise order {raise_times:?}"
        );

        let earliest_until = snapshot
            .speakers
            .iter()
            .filter_map(|speaker| speaker.until)
            .min();
        assert_eq!(
            self.floor.poll_timeout(),
            earliest_until,
            "{context}: poll_timeout differs from the earliest until"
        );
        if took_now {
            assert!(
                earliest_until.is_none_or(|until| until > self.now),
                "{context}: a grant past its until at {} survived",
                self.now
            );
        }

        for id in LECTURERS.iter().chain(&STUDENTS).chain([&STRANGER]) {
            let allowed_by_snapshot = (snapshot.lecturers.iter().any(|lecturer| lecturer == id)
                || speaker_ids.contains(id))
                && !snapshot.muted.iter().any(|muted| muted == id);
            assert_eq!(
                self.floor.may_send_audio(id),
                allowed_by_snapshot,
                "{context}: may_send_audio({id}) disagrees with the snapshot"
            );
        }

        self.check_mirror(&context);
    }

    /// Checks that the state rebuilt from events matches the floor.
    fn check_mirror(&self, context: &str) {
        let snapshot = self.floor.snapshot();

        assert_eq!(
            self.mirror.queue, snapshot.queue,
            "{context}: queue from events differs"
        );
        let speakers: BTreeMap<String, (bool, u64, Option<u64>)> = snapshot
            .speakers
            .iter()
            .map(|speaker| {
                let grant = (speaker.to_board, speaker.since, speaker.until);
                (speaker.participant.clone(), grant)
            })
            .collect();
        assert_eq!(
            self.mirror.speakers, speakers,
            "{context}: speakers from events differ"
        );
        let muted: BTreeSet<String> = snapshot.muted.iter().cloned().collect();
        assert_eq!(
            self.mirror.muted, muted,
            "{context}: muted set from events differs"
        );
        assert_eq!(
            self.mirror.max_speakers, snapshot.max_speakers,
            "{context}: max_speakers from events differs"
        );

        let present = self
            .mirror
            .board_access
            .iter()
            .filter(|(student, _)| self.floor.role(student).is_some());
        for (student, can_draw) in present {
            assert_eq!(
                self.floor.may_draw(student),
                *can_draw,
                "{context}: board access applied to {student} differs from may_draw"
            );
        }
    }
}

/// Names the event's type and, where it has one, its reason or cause.
fn event_kind(event: &FloorEvent) -> String {
    match event {
        FloorEvent::HandLowered { reason, .. } => format!("hand_lowered:{reason:?}"),
        FloorEvent::FloorRevoked { reason, .. } => format!("floor_revoked:{reason:?}"),
        FloorEvent::DrawingChanged { cause, .. } => format!("drawing_changed:{cause:?}"),
        FloorEvent::HandRaised { .. } => "hand_raised".to_owned(),
        FloorEvent::QueueChanged { .. } => "queue_changed".to_owned(),
        FloorEvent::FloorGranted { .. } => "floor_granted".to_owned(),
        FloorEvent::Muted { .. } => "muted".to_owned(),
        FloorEvent::Unmuted { .. } => "unmuted".to_owned(),
        FloorEvent::MaxSpeakersChanged { .. } => "max_speakers_changed".to_owned(),
    }
}

#[test]
fn random_operations_keep_invariants() {
    for seed in 0..SEEDS {
        let mut run = Run::new(seed);
        for step in 0..STEPS_PER_SEED {
            run.step = step;
            let (succeeded, took_now) = run.apply_random_operation();
            run.apply_events(succeeded);
            run.check_invariants(took_now);
        }
    }
}

#[test]
fn random_runs_reach_every_event() {
    let mut seen = BTreeSet::new();
    let mut saw_full_floor = false;
    let mut saw_muted_speaker = false;

    for seed in 0..SEEDS {
        let mut run = Run::new(seed);
        for step in 0..STEPS_PER_SEED {
            run.step = step;
            let (succeeded, _) = run.apply_random_operation();
            run.apply_events(succeeded);

            let speakers = run.floor.speakers();
            saw_full_floor |= speakers.len() == run.floor.config().max_speakers;
            saw_muted_speaker |= speakers
                .iter()
                .any(|speaker| run.floor.is_muted(&speaker.participant));
        }
        seen.append(&mut run.seen);
    }

    assert!(saw_full_floor, "no run filled the floor");
    assert!(saw_muted_speaker, "no run muted a speaker");
    let expected = [
        "hand_raised",
        "queue_changed",
        "floor_granted",
        "muted",
        "unmuted",
        "max_speakers_changed",
        "hand_lowered:Own",
        "hand_lowered:Lecturer",
        "hand_lowered:Granted",
        "hand_lowered:Left",
        "floor_revoked:Lecturer",
        "floor_revoked:Expired",
        "floor_revoked:Left",
        "floor_revoked:Replaced",
        "drawing_changed:BoardGranted",
        "drawing_changed:BoardRevoked",
        "drawing_changed:PermissionRestored",
        "drawing_changed:PermissionChanged",
    ];
    for kind in expected {
        assert!(seen.contains(kind), "no run queued {kind}");
    }
}
