//! The composition root: opens the data directory, builds every domain, wires the request
//! pipeline (authentication by IAM, audit into the trail), runs background jobs and the HTTP
//! server, and shuts all of it down in order.
//!
//! **Architecture Invariant**: this is the only crate that knows every domain.

pub mod alarm_actions;
pub mod alarm_evaluation;
pub mod alarm_link;
mod audit;
mod auth;
pub mod bootstrap;
pub mod config;
pub mod discovery;
pub mod links;
pub mod s3_export;
pub mod sns_target;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::oneshot;

use openwatch_iam::Iam;
use openwatch_storage::{Catalog, Clock, DataDir, Scheduler, SystemClock};
use openwatch_trail::{Trail, TrailOptions};
use openwatch_wire::Pipeline;

pub use bootstrap::Bootstrap;
pub use config::{Config, Overrides};

/// The server's version, reported by `GET /health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// How often expired trail records are deleted.
pub const TRAIL_RETENTION_PERIOD: Duration = Duration::from_secs(3600);
/// The metrics engine's subdirectory of the data directory.
pub const METRICS_DIR: &str = "metrics";
/// How often the metrics engine seals finished hour partitions, trims its WAL and applies retention.
pub const METRICS_CHECKPOINT_PERIOD: Duration = Duration::from_secs(60);
/// The log store's subdirectory of the data directory.
pub const LOGS_DIR: &str = "logs";
/// How often log heads that are due are flushed into chunks.
pub const LOGS_FLUSH_PERIOD: Duration = Duration::from_secs(5);
/// How often expired log chunks are deleted.
pub const LOGS_RETENTION_PERIOD: Duration = Duration::from_secs(600);
/// How often metric filters' default values are emitted for the minutes that closed.
pub const LOGS_METRIC_DEFAULTS_PERIOD: Duration = Duration::from_secs(5);
/// How often subscription filters deliver the events ingested since their cursor.
pub const LOGS_SUBSCRIPTIONS_PERIOD: Duration = Duration::from_secs(1);
/// How often pending export tasks are started.
pub const LOGS_EXPORT_PERIOD: Duration = Duration::from_secs(1);
/// The export buckets' subdirectory of the data directory (`<bucket>/<key>`).
pub const BUCKETS_DIR: &str = "buckets";
/// EventBridge's delivery queue subdirectory of the data directory.
pub const EVENTS_DIR: &str = "events";
/// How often due event deliveries (and their retries) are attempted.
pub const EVENTS_DELIVERY_PERIOD: Duration = Duration::from_secs(1);
/// How often scheduled rules are checked (schedules have minute granularity).
pub const EVENTS_SCHEDULE_PERIOD: Duration = Duration::from_secs(1);
/// How often started replays are run.
pub const EVENTS_REPLAY_PERIOD: Duration = Duration::from_secs(1);
/// How often expired archived events are deleted.
pub const EVENTS_ARCHIVE_RETENTION_PERIOD: Duration = Duration::from_secs(3600);

/// SNS's delivery queue subdirectory of the data directory.
pub const SNS_DIR: &str = "sns";
/// How often due SNS deliveries (and their retries) are attempted.
pub const SNS_DELIVERY_PERIOD: Duration = Duration::from_secs(1);

/// How often metric alarms are checked for a passed period boundary.
pub const ALARMS_EVALUATION_PERIOD: Duration = Duration::from_secs(10);
/// How often alarm history older than two weeks is deleted.
pub const ALARMS_HISTORY_RETENTION_PERIOD: Duration = Duration::from_secs(3600);

/// A running server. Drop it or call [`Server::shutdown`] to stop it.
pub struct Server {
    local_addr: SocketAddr,
    bootstrap: Option<Bootstrap>,
    trail: Arc<Trail>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl Server {
    /// Opens everything and starts serving. Returns once the listener is bound (so `/health`
    /// answers as soon as this returns).
    pub async fn start(config: Config) -> anyhow::Result<Server> {
        Server::start_with_clock(config, Arc::new(SystemClock)).await
    }

    /// As [`Server::start`], with a chosen clock (tests use a simulated one).
    pub async fn start_with_clock(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<Server> {
        let data_dir = DataDir::open(&config.data_dir)
            .with_context(|| format!("cannot open data directory {}", config.data_dir.display()))?;
        // Extra CAs for https:// deliveries (API destinations, SNS); a bad bundle stops the start.
        openwatch_events::http::tls::add_extra_ca_from_env()
            .map_err(anyhow::Error::msg)
            .context("OPENWATCH_EXTRA_CA_FILE")?;
        // Bind before creating anything, so that a taken port fails a first start cleanly.
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let catalog =
            Arc::new(Catalog::open(&data_dir.catalog_path()).context("cannot open the catalog")?);
        let iam = Arc::new(
            Iam::open(Arc::clone(&catalog), Arc::clone(&clock))
                .context("cannot load accounts and keys")?,
        );
        let bootstrap = bootstrap::first_start(&iam, data_dir.path())?;
        if config.dev {
            iam.register_ephemeral_key(
                bootstrap::DEV_ACCESS_KEY_ID,
                bootstrap::DEV_SECRET_ACCESS_KEY,
                bootstrap::dev_account(),
            );
        }
        let trail_dir = data_dir
            .subdir(openwatch_storage::datadir::TRAIL_DIR)
            .context("cannot create the trail directory")?;
        let trail = Arc::new(
            Trail::open(&trail_dir, Arc::clone(&clock), TrailOptions::default())
                .context("cannot open the audit trail")?,
        );
        let logs_dir = data_dir
            .subdir(LOGS_DIR)
            .context("cannot create the logs directory")?;
        let logs = Arc::new(
            openwatch_logs::LogStore::open(
                &logs_dir,
                Arc::clone(&catalog),
                Arc::clone(&clock),
                openwatch_logs::LogStoreOptions::default(),
            )
            .context("cannot open the log store")?,
        );
        logs.set_bucket_root(&data_dir.path().join(BUCKETS_DIR));
        if let Some(s3) = config.export_s3.clone() {
            tracing::info!(endpoint = %s3.endpoint, "export tasks write to an S3-compatible store");
            let clock = Arc::clone(&clock);
            logs.set_object_store(Arc::new(s3_export::S3Store::new(s3, move || {
                clock.now_millis().div_euclid(1000)
            })));
        }

        let metrics_dir = data_dir
            .subdir(METRICS_DIR)
            .context("cannot create the metrics directory")?;
        let metrics = Arc::new(
            openwatch_metrics::Metrics::open(
                &metrics_dir,
                Arc::clone(&clock),
                openwatch_metrics::MetricsOptions::default(),
            )
            .context("cannot open the metrics engine")?,
        );

        let events_dir = data_dir
            .subdir(EVENTS_DIR)
            .context("cannot create the events directory")?;
        let events = Arc::new(
            openwatch_events::Events::open(Arc::clone(&catalog), &events_dir, Arc::clone(&clock))
                .context("cannot open EventBridge")?,
        );
        let schemas = Arc::new(
            openwatch_schemas::Schemas::open(Arc::clone(&catalog), Arc::clone(&clock))
                .context("cannot open the Schema Registry")?,
        );
        discovery::connect(&events, &schemas);

        let alarms = Arc::new(
            openwatch_alarms::store::AlarmStore::open(Arc::clone(&catalog), Arc::clone(&clock))
                .context("cannot load alarms")?,
        );
        let domains = openwatch_services::Domains {
            alarms: Arc::clone(&alarms),
            iam: Arc::clone(&iam),
            trail: Arc::clone(&trail),
            metrics: Arc::clone(&metrics),
            logs: Arc::clone(&logs),
            events: Arc::clone(&events),
        };
        let sns_dir = data_dir
            .subdir(SNS_DIR)
            .context("cannot create the SNS directory")?;
        let sns = Arc::new(
            openwatch_sns::Sns::open(
                Arc::clone(&catalog),
                &sns_dir,
                Arc::clone(&clock),
                openwatch_sns::SnsOptions {
                    // Links in SNS messages (SubscribeURL, SigningCertURL…) start with it.
                    public_url: match &config.public_url {
                        Some(u) => u.clone(),
                        None => format!("http://{}", listener.local_addr()?),
                    },
                    signer: None,
                },
            )
            .context("cannot open SNS")?,
        );
        let mut registry = openwatch_services::registry(&domains);
        openwatch_services::sns::register(&mut registry, Arc::clone(&sns));
        openwatch_services::schemas::register(&mut registry, Arc::clone(&schemas));
        // SetAlarmState / PutCompositeAlarm state changes run their actions through SNS.
        alarms.set_actions(Arc::new(alarm_link::SnsAlarmActions {
            sns: Arc::clone(&sns),
        }));
        let dashboards = Arc::new(
            openwatch_dashboards::DashboardStore::open(Arc::clone(&catalog), Arc::clone(&clock))
                .context("cannot open dashboards")?,
        );
        openwatch_services::cloudwatch::dashboards::register(&mut registry, dashboards);
        let links = Arc::new(links::Links::connect(&logs, &metrics, &events, &clock));
        events.add_sink(Arc::new(sns_target::SnsTopicTarget {
            sns: Arc::clone(&sns),
        }));
        let clock_fn = {
            let clock = Arc::clone(&clock);
            Arc::new(move || clock.now_millis())
        };
        let pipeline = Arc::new(Pipeline::new(
            registry,
            Arc::new(auth::IamAuthenticator {
                iam: Arc::clone(&iam),
            }),
            Arc::new(audit::TrailSink {
                trail: Arc::clone(&trail),
                bus: Some(Arc::clone(&links.api_calls)),
            }),
            clock_fn,
            VERSION,
        ));

        let scheduler = Scheduler::new(Arc::clone(&clock));
        {
            let trail = Arc::clone(&trail);
            scheduler.every("trail-retention", TRAIL_RETENTION_PERIOD, move || {
                trail.run_retention().map(|report| {
                    tracing::debug!(?report, "trail retention ran");
                })
            });
        }
        {
            let logs = Arc::clone(&logs);
            scheduler.every("logs-flush", LOGS_FLUSH_PERIOD, move || {
                logs.flush_due().map(|_| ())
            });
        }
        {
            let logs = Arc::clone(&logs);
            scheduler.every(
                "logs-metric-defaults",
                LOGS_METRIC_DEFAULTS_PERIOD,
                move || {
                    let emitted = logs.emit_metric_defaults();
                    tracing::debug!(emitted, "metric filter defaults emitted");
                },
            );
        }
        {
            let logs = Arc::clone(&logs);
            scheduler.every("logs-subscriptions", LOGS_SUBSCRIPTIONS_PERIOD, move || {
                logs.deliver_subscriptions().map(|report| {
                    tracing::debug!(?report, "log subscriptions delivered");
                })
            });
        }
        {
            let logs = Arc::clone(&logs);
            scheduler.every("logs-export", LOGS_EXPORT_PERIOD, move || {
                logs.run_export_tasks().map(|_| ())
            });
        }
        {
            let logs = Arc::clone(&logs);
            scheduler.every("logs-retention", LOGS_RETENTION_PERIOD, move || {
                logs.run_retention().map(|report| {
                    tracing::debug!(?report, "log retention ran");
                })
            });
        }
        {
            let metrics = Arc::clone(&metrics);
            scheduler.every("metrics-checkpoint", METRICS_CHECKPOINT_PERIOD, move || {
                metrics.checkpoint(false).map(|report| {
                    tracing::debug!(?report, "metrics checkpoint ran");
                })
            });
        }
        {
            let events = Arc::clone(&events);
            scheduler.every("events-delivery", EVENTS_DELIVERY_PERIOD, move || {
                events.run_deliveries().map(|report| {
                    tracing::debug!(?report, "event deliveries ran");
                })
            });
        }
        {
            let events = Arc::clone(&events);
            scheduler.every("events-schedules", EVENTS_SCHEDULE_PERIOD, move || {
                events.run_schedules().map(|fired| {
                    tracing::debug!(fired, "scheduled rules ran");
                })
            });
        }
        {
            let events = Arc::clone(&events);
            scheduler.every("events-replays", EVENTS_REPLAY_PERIOD, move || {
                events.run_replays().map(|replayed| {
                    tracing::debug!(replayed, "event replays ran");
                })
            });
        }
        {
            let events = Arc::clone(&events);
            scheduler.every(
                "events-archive-retention",
                EVENTS_ARCHIVE_RETENTION_PERIOD,
                move || {
                    events.run_archive_retention().map(|segments| {
                        tracing::debug!(segments, "archive retention ran");
                    })
                },
            );
        }
        {
            let (alarms, metrics, events, sns) = (
                Arc::clone(&alarms),
                Arc::clone(&metrics),
                Arc::clone(&events),
                Arc::clone(&sns),
            );
            let clock = Arc::clone(&clock);
            scheduler.every("alarms-evaluation", ALARMS_EVALUATION_PERIOD, move || {
                let changed = alarm_evaluation::run_with_actions(
                    &alarms,
                    &metrics,
                    &events,
                    Some(&sns),
                    clock.now_millis(),
                );
                let released =
                    alarm_link::release_suppressed(&alarms, &sns, &events, clock.now_millis());
                tracing::debug!(changed, released, "alarms evaluated");
            });
        }
        {
            let alarms = Arc::clone(&alarms);
            scheduler.every(
                "alarms-history-retention",
                ALARMS_HISTORY_RETENTION_PERIOD,
                move || {
                    alarms.run_retention().map(|deleted| {
                        tracing::debug!(deleted, "alarm history retention ran");
                    })
                },
            );
        }
        {
            let sns = Arc::clone(&sns);
            scheduler.every("sns-delivery", SNS_DELIVERY_PERIOD, move || {
                sns.run_deliveries().map(|report| {
                    tracing::debug!(?report, "SNS deliveries ran");
                })
            });
        }
        scheduler.start(&tokio::runtime::Handle::current());

        let local_addr = listener.local_addr()?;
        let trail_handle = Arc::clone(&trail);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = openwatch_wire::server::serve(listener, pipeline, async {
                let _ = stopped.await;
            })
            .await;
            scheduler.shutdown().await;
            // In-flight requests are done: flush what they recorded, then release the directory.
            let closed = tokio::task::spawn_blocking(move || {
                // What the links queued goes into the domains before they close.
                links.drain();
                let r = trail.close();
                if let Err(e) = metrics.close() {
                    tracing::error!(error = %e, "cannot close the metrics engine");
                }
                if let Err(e) = logs.close() {
                    tracing::error!(error = %e, "cannot flush the log store");
                }
                // Discovery works off its queue before EventBridge closes.
                schemas.close();
                if let Err(e) = events.close() {
                    tracing::error!(error = %e, "cannot close the event delivery queue");
                }
                if let Err(e) = sns.close() {
                    tracing::error!(error = %e, "cannot close the SNS delivery queue");
                }
                drop(iam);
                drop(catalog);
                drop(data_dir);
                r
            })
            .await;
            served.context("the HTTP server failed")?;
            closed
                .context("the trail close task failed")?
                .context("cannot flush the audit trail")?;
            Ok(())
        });
        tracing::info!(%local_addr, "OpenWatch is listening");
        Ok(Server {
            local_addr,
            bootstrap,
            trail: trail_handle,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The address the server listens on (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The account and key created on this start, if this was the first start.
    pub fn bootstrap(&self) -> Option<&Bootstrap> {
        self.bootstrap.as_ref()
    }

    /// The audit trail's counters (records written, dropped, queued).
    pub fn trail_stats(&self) -> openwatch_trail::TrailStats {
        self.trail.stats()
    }

    /// Stops accepting, finishes in-flight requests, flushes and closes storage.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.context("the server task panicked")?,
            None => Ok(()),
        }
    }

    /// Waits until the server stops by itself (an error) — normally it runs until shutdown.
    pub async fn wait(&mut self) -> anyhow::Result<()> {
        match self.task.as_mut() {
            Some(task) => {
                let r = task.await.context("the server task panicked")?;
                self.task = None;
                r
            }
            None => Ok(()),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
