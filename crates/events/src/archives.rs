//! Archive and replay operations: CreateArchive, DescribeArchive, ListArchives, UpdateArchive,
//! DeleteArchive, StartReplay, DescribeReplay, ListReplays, CancelReplay, and the jobs that run
//! replays and apply archive retention.

use openwatch_patterns::Pattern;
use serde_json::Value;

use crate::archive::ArchiveKey;
use crate::buses::check_description;
use crate::error::EventsError;
use crate::limits::{MAX_ARCHIVE_NAME, MAX_ARCHIVES, MAX_REPLAY_NAME};
use crate::model::{Archive, Page, PageRequest, Replay, ReplayState};
use crate::names::{EventsResource, check_simple_name, in_scope, paginate, parse_arn};
use crate::store::{Change, NameKey};
use crate::{ArchiveState, Events, State, key};

/// An archive with its live event count and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveInfo {
    pub archive: Archive,
    pub event_count: u64,
    pub size_bytes: u64,
}

/// CreateArchive's input.
#[derive(Debug, Clone, Default)]
pub struct CreateArchiveInput {
    pub name: String,
    pub event_source_arn: String,
    pub description: Option<String>,
    pub event_pattern: Option<String>,
    pub retention_days: Option<i64>,
}

/// StartReplay's input.
#[derive(Debug, Clone, Default)]
pub struct StartReplayInput {
    pub name: String,
    pub description: Option<String>,
    pub event_source_arn: String,
    pub event_start_millis: i64,
    pub event_end_millis: i64,
    pub destination_arn: String,
    pub filter_arns: Vec<String>,
}

fn archive_not_found(name: &str) -> EventsError {
    EventsError::NotFound(format!("Archive {name} does not exist."))
}

fn replay_not_found(name: &str) -> EventsError {
    EventsError::NotFound(format!("Replay {name} does not exist."))
}

fn parse_pattern(p: Option<&str>) -> Result<Option<Pattern>, EventsError> {
    p.map(|p| Pattern::parse(p).map_err(|e| EventsError::InvalidEventPattern(e.to_string())))
        .transpose()
}

/// Events the archives of bus `(owner, region, bus)` take: `(archive, retention, event time, event)`.
pub(crate) fn archive_items(
    state: &State,
    owner: &str,
    region: &str,
    bus: &str,
    event: &Value,
    event_millis: i64,
    out: &mut Vec<(ArchiveKey, u32, i64, Value)>,
) {
    for (k, a) in state.archives.range(key(owner, region, "")..) {
        if k.0 != owner || k.1 != region {
            break;
        }
        if a.archive.bus == bus && a.pattern.as_ref().is_none_or(|p| p.matches(event)) {
            out.push((
                k.clone(),
                a.archive.retention_days,
                event_millis,
                event.clone(),
            ));
        }
    }
}

impl Events {
    fn info(&self, k: &NameKey, a: &Archive) -> ArchiveInfo {
        let entries = self.archive_log.entries(
            k,
            a.created_millis,
            a.retention_days,
            self.clock.now_millis(),
        );
        ArchiveInfo {
            archive: a.clone(),
            event_count: entries.len() as u64,
            size_bytes: entries.iter().map(|e| e.bytes).sum(),
        }
    }

    /// CreateArchive.
    pub fn create_archive(
        &self,
        account: &str,
        region: &str,
        input: CreateArchiveInput,
    ) -> Result<Archive, EventsError> {
        let name = input.name.as_str();
        let event_source_arn = input.event_source_arn.as_str();
        let description = input.description.as_deref();
        let event_pattern = input.event_pattern.as_deref();
        let retention_days = input.retention_days;
        check_simple_name(name, "archiveName", MAX_ARCHIVE_NAME)?;
        check_description(description)?;
        let pattern = parse_pattern(event_pattern)?;
        let retention_days = retention_days_of(retention_days)?;
        let bus = match parse_arn(event_source_arn) {
            Some(a) if a.account == account && a.region == region => match a.resource {
                EventsResource::Bus(b) => b,
                EventsResource::Rule { .. } => return Err(bad_source(event_source_arn)),
            },
            _ => return Err(bad_source(event_source_arn)),
        };
        let k = key(account, region, name);
        let mut state = self.state.write();
        if !state.exists(&key(account, region, &bus)) {
            return Err(EventsError::bus_not_found(&bus));
        }
        if state.archives.contains_key(&k) {
            return Err(EventsError::AlreadyExists(format!(
                "Archive {name} already exists."
            )));
        }
        let count = state
            .archives
            .keys()
            .filter(|x| x.0 == account && x.1 == region)
            .count();
        if count >= MAX_ARCHIVES {
            return Err(EventsError::limit());
        }
        let archive = Archive {
            name: name.to_owned(),
            arn: format!("arn:aws:events:{region}:{account}:archive/{name}"),
            event_source_arn: event_source_arn.to_owned(),
            bus,
            description: description.map(str::to_owned),
            event_pattern: event_pattern.map(str::to_owned),
            retention_days,
            created_millis: self.clock.now_millis(),
        };
        self.store.apply(&[Change::PutArchive(&k, &archive)])?;
        state.archives.insert(
            k,
            ArchiveState {
                archive: archive.clone(),
                pattern,
            },
        );
        Ok(archive)
    }

    /// DescribeArchive.
    pub fn describe_archive(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<ArchiveInfo, EventsError> {
        check_simple_name(name, "archiveName", MAX_ARCHIVE_NAME)?;
        let k = key(account, region, name);
        let state = self.state.read();
        let a = state
            .archives
            .get(&k)
            .ok_or_else(|| archive_not_found(name))?;
        Ok(self.info(&k, &a.archive))
    }

    /// ListArchives, sorted by name.
    pub fn list_archives(
        &self,
        account: &str,
        region: &str,
        prefix: Option<&str>,
        event_source_arn: Option<&str>,
        state_filter: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<ArchiveInfo>, EventsError> {
        if let Some(s) = state_filter
            && !matches!(
                s,
                "ENABLED"
                    | "DISABLED"
                    | "CREATING"
                    | "UPDATING"
                    | "CREATE_FAILED"
                    | "UPDATE_FAILED"
            )
        {
            return Err(EventsError::constraint(
                s,
                "state",
                "Member must satisfy enum value set: [ENABLED, DISABLED, CREATING, UPDATING, CREATE_FAILED, UPDATE_FAILED]",
            ));
        }
        let state = self.state.read();
        let items: Vec<ArchiveInfo> = in_scope(&state.archives, account, region, prefix)
            .filter(|(_, a)| {
                event_source_arn.is_none_or(|s| a.archive.event_source_arn == s)
                    && state_filter.is_none_or(|s| s == "ENABLED")
            })
            .map(|(k, a)| self.info(k, &a.archive))
            .collect();
        drop(state);
        paginate(
            items,
            |i| &i.archive.name,
            page.limit,
            page.next_token.as_deref(),
        )
    }

    /// UpdateArchive: description, pattern and retention (absent members are left as they are).
    pub fn update_archive(
        &self,
        account: &str,
        region: &str,
        name: &str,
        description: Option<&str>,
        event_pattern: Option<&str>,
        retention_days: Option<i64>,
    ) -> Result<Archive, EventsError> {
        check_simple_name(name, "archiveName", MAX_ARCHIVE_NAME)?;
        check_description(description)?;
        let pattern = parse_pattern(event_pattern)?;
        let retention = retention_days
            .map(|d| retention_days_of(Some(d)))
            .transpose()?;
        let k = key(account, region, name);
        let mut state = self.state.write();
        let current = state
            .archives
            .get_mut(&k)
            .ok_or_else(|| archive_not_found(name))?;
        let mut archive = current.archive.clone();
        if let Some(d) = description {
            archive.description = Some(d.to_owned());
        }
        if let Some(p) = event_pattern {
            archive.event_pattern = Some(p.to_owned());
        }
        if let Some(r) = retention {
            archive.retention_days = r;
        }
        self.store.apply(&[Change::PutArchive(&k, &archive)])?;
        if pattern.is_some() {
            current.pattern = pattern;
        }
        current.archive = archive.clone();
        Ok(archive)
    }

    /// DeleteArchive: its events are no longer replayable.
    pub fn delete_archive(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<(), EventsError> {
        check_simple_name(name, "archiveName", MAX_ARCHIVE_NAME)?;
        let k = key(account, region, name);
        let mut state = self.state.write();
        if !state.archives.contains_key(&k) {
            return Err(archive_not_found(name));
        }
        self.store.apply(&[Change::DeleteArchive(&k)])?;
        state.archives.remove(&k);
        self.archive_log.forget(&k);
        Ok(())
    }

    /// StartReplay: queued as STARTING; [`Events::run_replays`] replays it.
    pub fn start_replay(
        &self,
        account: &str,
        region: &str,
        input: StartReplayInput,
    ) -> Result<Replay, EventsError> {
        check_simple_name(&input.name, "replayName", MAX_REPLAY_NAME)?;
        check_description(input.description.as_deref())?;
        if input.event_start_millis >= input.event_end_millis {
            return Err(EventsError::Validation(
                "Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.".to_owned(),
            ));
        }
        let archive_name = input
            .event_source_arn
            .strip_prefix(&format!("arn:aws:events:{region}:{account}:archive/"))
            .ok_or_else(|| {
                EventsError::Validation(format!(
                    "Parameter EventSourceArn is not valid. Reason: {} is not an archive ARN of this account and region.",
                    input.event_source_arn
                ))
            })?
            .to_owned();
        let k = key(account, region, &input.name);
        let mut state = self.state.write();
        let archive = &state
            .archives
            .get(&key(account, region, &archive_name))
            .ok_or_else(|| archive_not_found(&archive_name))?
            .archive;
        let bus_arn = crate::names::bus_arn(account, region, &archive.bus);
        if input.destination_arn != bus_arn {
            return Err(EventsError::Validation(
                "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.".to_owned(),
            ));
        }
        for f in &input.filter_arns {
            match parse_arn(f) {
                Some(a)
                    if a.account == account
                        && a.region == region
                        && matches!(&a.resource, EventsResource::Rule { bus, .. } if *bus == archive.bus) =>
                    {}
                _ => {
                    return Err(EventsError::Validation(format!(
                        "Parameter Destination.FilterArns is not valid. Reason: {f} is not a rule on event bus {}.",
                        archive.bus
                    )));
                }
            }
        }
        if state.replays.contains_key(&k) {
            return Err(EventsError::AlreadyExists(format!(
                "Replay {} already exists.",
                input.name
            )));
        }
        let replay = Replay {
            arn: format!("arn:aws:events:{region}:{account}:replay/{}", input.name),
            name: input.name,
            description: input.description,
            event_source_arn: input.event_source_arn,
            archive: archive_name,
            destination_arn: input.destination_arn,
            filter_arns: input.filter_arns,
            event_start_millis: input.event_start_millis,
            event_end_millis: input.event_end_millis,
            state: ReplayState::Starting,
            state_reason: None,
            replay_start_millis: self.clock.now_millis(),
            replay_end_millis: None,
            event_last_replayed_millis: None,
        };
        self.store.apply(&[Change::PutReplay(&k, &replay)])?;
        state.replays.insert(k, replay.clone());
        Ok(replay)
    }

    /// DescribeReplay.
    pub fn describe_replay(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<Replay, EventsError> {
        check_simple_name(name, "replayName", MAX_REPLAY_NAME)?;
        self.state
            .read()
            .replays
            .get(&key(account, region, name))
            .cloned()
            .ok_or_else(|| replay_not_found(name))
    }

    /// ListReplays, sorted by name.
    pub fn list_replays(
        &self,
        account: &str,
        region: &str,
        prefix: Option<&str>,
        state_filter: Option<&str>,
        event_source_arn: Option<&str>,
        page: &PageRequest,
    ) -> Result<Page<Replay>, EventsError> {
        let wanted = match state_filter {
            None => None,
            Some(s) => Some(ReplayState::parse(s).ok_or_else(|| {
                EventsError::constraint(s, "state", "Member must satisfy enum value set: [STARTING, RUNNING, CANCELLING, COMPLETED, CANCELLED, FAILED]")
            })?),
        };
        let items: Vec<Replay> = in_scope(&self.state.read().replays, account, region, prefix)
            .filter(|(_, r)| {
                wanted.is_none_or(|w| r.state == w)
                    && event_source_arn.is_none_or(|s| r.event_source_arn == s)
            })
            .map(|(_, r)| r.clone())
            .collect();
        paginate(items, |r| &r.name, page.limit, page.next_token.as_deref())
    }

    /// CancelReplay: only a replay that has not finished can be cancelled.
    pub fn cancel_replay(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<Replay, EventsError> {
        check_simple_name(name, "replayName", MAX_REPLAY_NAME)?;
        let k = key(account, region, name);
        let mut state = self.state.write();
        let current = state
            .replays
            .get(&k)
            .ok_or_else(|| replay_not_found(name))?;
        if !matches!(current.state, ReplayState::Starting | ReplayState::Running) {
            return Err(EventsError::IllegalStatus(format!(
                "Replay {name} is in state {} and cannot be cancelled.",
                current.state.as_str()
            )));
        }
        let mut replay = current.clone();
        replay.state = ReplayState::Cancelled;
        replay.state_reason = Some("Cancelled by the user.".to_owned());
        replay.replay_end_millis = Some(self.clock.now_millis());
        self.store.apply(&[Change::PutReplay(&k, &replay)])?;
        state.replays.insert(k, replay.clone());
        Ok(replay)
    }

    /// Runs the replays that were started: a scheduler job. Each archived event in the replay's
    /// time range is sent again to its bus, with a `replay-name` member, to the rules the replay
    /// names (all rules if none), and is not archived again. Returns how many events were replayed.
    pub fn run_replays(&self) -> Result<usize, EventsError> {
        let now = self.clock.now_millis();
        let todo: Vec<(NameKey, Replay, Option<Archive>)> = {
            let state = self.state.read();
            state
                .replays
                .iter()
                .filter(|(_, r)| r.state == ReplayState::Starting)
                .map(|(k, r)| {
                    let a = state
                        .archives
                        .get(&key(&k.0, &k.1, &r.archive))
                        .map(|a| a.archive.clone());
                    (k.clone(), r.clone(), a)
                })
                .collect()
        };
        let mut replayed = 0;
        for (k, mut replay, archive) in todo {
            match archive {
                None => {
                    replay.state = ReplayState::Failed;
                    replay.state_reason =
                        Some(format!("Archive {} does not exist.", replay.archive));
                }
                Some(a) => {
                    let ak = key(&k.0, &k.1, &a.name);
                    let mut entries: Vec<_> = self
                        .archive_log
                        .entries(&ak, a.created_millis, a.retention_days, now)
                        .into_iter()
                        .filter(|e| {
                            e.event_millis >= replay.event_start_millis
                                && e.event_millis < replay.event_end_millis
                        })
                        .collect();
                    entries.sort_by_key(|e| (e.event_millis, e.pos));
                    let rules: Vec<String> = replay
                        .filter_arns
                        .iter()
                        .filter_map(|f| match parse_arn(f)?.resource {
                            EventsResource::Rule { name, .. } => Some(name),
                            EventsResource::Bus(_) => None,
                        })
                        .collect();
                    for e in &entries {
                        let mut event = self.archive_log.read(e)?;
                        if let Value::Object(m) = &mut event {
                            m.insert("replay-name".into(), Value::String(replay.name.clone()));
                        }
                        self.replay_event(&k.0, &k.1, &a.bus, &event, &rules)?;
                        replay.event_last_replayed_millis = Some(e.event_millis);
                        replayed += 1;
                    }
                    replay.state = ReplayState::Completed;
                }
            }
            replay.replay_end_millis = Some(self.clock.now_millis());
            let mut state = self.state.write();
            // A cancellation that landed meanwhile wins.
            if state
                .replays
                .get(&k)
                .is_some_and(|r| r.state == ReplayState::Starting)
            {
                self.store.apply(&[Change::PutReplay(&k, &replay)])?;
                state.replays.insert(k, replay);
            }
        }
        Ok(replayed)
    }

    /// Applies archive retention: a scheduler job. Returns how many log segments were deleted.
    pub fn run_archive_retention(&self) -> Result<usize, EventsError> {
        let now = self.clock.now_millis();
        let retention: std::collections::HashMap<NameKey, (i64, u32)> = self
            .state
            .read()
            .archives
            .iter()
            .map(|(k, a)| {
                (
                    k.clone(),
                    (a.archive.created_millis, a.archive.retention_days),
                )
            })
            .collect();
        self.archive_log
            .run_retention(now, |k| retention.get(k).copied())
    }
}

fn bad_source(arn: &str) -> EventsError {
    EventsError::Validation(format!(
        "Parameter EventSourceArn is not valid. Reason: {arn} is not an event bus ARN of this account and region."
    ))
}

fn retention_days_of(d: Option<i64>) -> Result<u32, EventsError> {
    match d {
        None => Ok(0),
        Some(d) => u32::try_from(d).map_err(|_| {
            EventsError::constraint(
                &d.to_string(),
                "retentionDays",
                "Member must have value greater than or equal to 0",
            )
        }),
    }
}
