//! The outbox worker: keeps the promise an outbox row makes. It claims due
//! messages mailbox by mailbox — each city's through its tenant transaction
//! (`outbox-worker` scope), the national accounts' through a transaction
//! with no city — renders each in the recipient's language, sends it over
//! the pooled SMTP transport and records the outcome: sent, retry later with
//! exponential backoff and jitter, or parked (refused for good, or out of
//! attempts). Several workers may run at once: claims skip locked rows.
//!
//! It wakes when a mailbox has a message due (LISTEN `soi_outbox`), when a
//! retry it scheduled comes due, and on a periodic sweep of every mailbox
//! (for retries of other workers and leases of workers that died). Asked to stop,
//! it claims nothing more, lets sends in flight finish and hands back the
//! claimed messages it has not started.

use crate::kinds::{REQUIRED_BY_LAW, UNSUBSCRIBABLE};
use crate::mailer::Mailer;
use crate::templates::{CityView, Templates};
use crate::unsubscribe::Links;
use anyhow::{Context, Result};
use futures_util::{FutureExt, StreamExt};
use secrecy::SecretString;
use soi_core::{CityId, CityZone, SystemCtx};
use soi_db::cities::{self, City};
use soi_db::mail::outbox::{self, Email};
use soi_db::mail::wakeups::{Wakeup, Wakeups};
use soi_db::mail::{email_preferences, unsubscribe_links};
use soi_db::program::participant_privacy;
use soi_db::{Db, DbConfig, MailTx, Mailbox};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

const JOB: SystemCtx = SystemCtx::new("outbox-worker");

/// The reason a message of an unsubscribable kind to an address that
/// unsubscribed is parked with, instead of being sent.
pub const UNSUBSCRIBED: &str = "unsubscribed";
/// The reason a message to someone who withdrew consent is parked with
/// (unless the law requires it, see [`REQUIRED_BY_LAW`]).
pub const WITHDRAWN: &str = "consent withdrawn";
/// The reason a message to an erased person's placeholder address is parked
/// with (it names nobody; nothing could receive it).
pub const ERASED: &str = "recipient erased";
const SCHEDULER: SystemCtx = SystemCtx::new("mail-scheduler");

/// The national accounts' mail is signed by the alliance, on Kazakhstan's
/// clock (one time zone for the whole country).
const NATIONAL_VIEW: (&str, &str, &str, &str) =
    ("Қазақстан", "Казахстан", "Kazakhstan", "Asia/Almaty");

/// How the worker sends. Defaults suit production; tests shorten the times.
#[derive(Clone)]
pub struct WorkerConfig {
    /// `SMTP_URL`
    pub smtp_url: SecretString,
    /// `SOI_MAIL_FROM`: the sender; its domain also names Message-IDs.
    pub from: String,
    /// `SOI_MAIL_BATCH`: messages claimed at once in a city.
    pub batch: u32,
    /// `SOI_MAIL_CONCURRENCY`: sends at once (and pooled SMTP connections).
    pub concurrency: u32,
    /// `SOI_MAIL_LEASE_SECS`: how long a claim holds; must outlast a batch.
    pub lease: Duration,
    /// `SOI_MAIL_MAX_ATTEMPTS`: a message still failing after this many is parked.
    pub max_attempts: u32,
    /// `SOI_MAIL_BACKOFF_BASE_MS` / `SOI_MAIL_BACKOFF_MAX_MS`: the wait after
    /// attempt n is base·2^(n-1), at most max, less up to half of it at random.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// `SOI_MAIL_SWEEP_SECS`: every city is looked at this often.
    pub sweep_every: Duration,
    /// `SOI_MAIL_SMTP_TIMEOUT_SECS`: one SMTP exchange at most.
    pub smtp_timeout: Duration,
    /// `SOI_UNSUBSCRIBE_SECRET` and `SOI_PUBLIC_URL`: the links unsubscribable
    /// kinds carry. Without them those emails go out with no link.
    pub unsubscribe: Option<Links>,
    /// Opens the sealed links of invitations and password resets (a key
    /// derived from `SOI_JWT_SECRET`, the gateway's and CLI's too). Without
    /// it those emails are parked, never sent without their link.
    pub sealer: Option<soi_auth::Sealer>,
    /// `SOI_MAIL_SCHEDULE_SECS`: how often reminders and certificate notices
    /// are looked for ([`crate::scheduler`]).
    pub schedule_every: Duration,
    /// `SOI_MAIL_RETENTION_DAYS`: sent emails older than this are deleted
    /// (with the scheduled run), their personal data with them.
    pub retention: Duration,
}

/// Sent emails deleted per city and scheduled run (a backlog goes in a few
/// runs, without one long transaction).
const PURGE_BATCH: i64 = 5_000;

impl WorkerConfig {
    pub fn new(smtp_url: SecretString) -> Self {
        Self {
            smtp_url,
            from: "Students on Ice <noreply@soi.kz>".into(),
            batch: 20,
            concurrency: 4,
            lease: Duration::from_secs(300),
            max_attempts: 10,
            backoff_base: Duration::from_secs(30),
            backoff_max: Duration::from_secs(3600),
            sweep_every: Duration::from_secs(30),
            smtp_timeout: Duration::from_secs(30),
            unsubscribe: None,
            sealer: None,
            schedule_every: Duration::from_secs(600),
            retention: Duration::from_secs(90 * 24 * 3600),
        }
    }

    /// Refuses settings under which a live claim could lapse mid-batch (and
    /// a second worker send the same message while the first still does).
    pub fn validate(&self) -> Result<()> {
        anyhow::ensure!(
            self.batch >= 1 && self.concurrency >= 1 && self.max_attempts >= 1,
            "SOI_MAIL_BATCH, SOI_MAIL_CONCURRENCY and SOI_MAIL_MAX_ATTEMPTS must be at least 1"
        );
        let rounds = self.batch.div_ceil(self.concurrency);
        let longest = self.smtp_timeout * rounds;
        anyhow::ensure!(
            self.lease > longest,
            "SOI_MAIL_LEASE_SECS ({}s) must exceed a whole batch at the SMTP timeout ({}s)",
            self.lease.as_secs(),
            longest.as_secs()
        );
        Ok(())
    }
}

/// What a worker has done, for logs and benchmarks.
#[derive(Debug, Default)]
pub struct Stats {
    pub sent: AtomicU64,
    pub retried: AtomicU64,
    pub parked: AtomicU64,
    pub released: AtomicU64,
}

impl Stats {
    fn add(&self, counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

enum Outcome {
    Sent(String),
    Retry(Duration, String),
    Park(String),
    Release,
}

pub struct Worker {
    id: String,
    db: Db,
    db_cfg: DbConfig,
    mailer: Mailer,
    templates: Templates,
    cfg: WorkerConfig,
    stats: Arc<Stats>,
}

impl Worker {
    pub fn new(db: Db, db_cfg: DbConfig, cfg: WorkerConfig) -> Result<Self> {
        cfg.validate()?;
        let mailer = Mailer::new(&cfg.smtp_url, &cfg.from, cfg.smtp_timeout, cfg.concurrency)?;
        let templates = Templates::builtin().context("email templates do not parse")?;
        let tag = uuid::Uuid::new_v4().simple().to_string();
        Ok(Self {
            id: format!("worker-{}-{}", std::process::id(), &tag[..8]),
            db,
            db_cfg,
            mailer,
            templates,
            cfg,
            stats: Arc::default(),
        })
    }

    /// The name its claims carry (`claimed_by`).
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn stats(&self) -> Arc<Stats> {
        self.stats.clone()
    }

    /// Runs until `shutdown` completes, then stops as described above.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
        let (stop_tx, mut stop) = watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        });
        let (wake_tx, mut wakes) = mpsc::unbounded_channel();
        let listener = tokio::spawn(listen(self.db_cfg.clone(), wake_tx));
        let mut cities = HashMap::new();
        let mut due = Due::default();
        let mut retries: BTreeMap<Instant, HashSet<Mailbox>> = BTreeMap::new();
        let mut sweep = tokio::time::interval(self.cfg.sweep_every);
        sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut schedule = tokio::time::interval(self.cfg.schedule_every);
        schedule.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tracing::info!(worker = %self.id, "mail worker started");
        while !*stop.borrow() {
            // One batch per city in turn, so one busy city cannot starve others.
            while let Some(id) = due.pop() {
                if *stop.borrow() {
                    break;
                }
                // What came due during the last batch queues behind it: a
                // city whose backlog refills every batch would otherwise keep
                // this loop from ever hearing of the others.
                while let Ok(wake) = wakes.try_recv() {
                    self.take(wake, &mut due, &mut cities).await;
                }
                if sweep.tick().now_or_never().is_some() {
                    self.sweep(&mut due, &mut cities).await;
                }
                retries_due(&mut retries, &mut due);
                let view = match id {
                    Mailbox::City(city) => match cities.get(&city) {
                        Some(city) => view_of(city),
                        None => continue,
                    },
                    Mailbox::National => national_view(),
                };
                let view = match view {
                    Ok(view) => view,
                    Err(e) => {
                        tracing::warn!(error = %format!("{e:#}"), "mail batch skipped");
                        continue;
                    }
                };
                match self.batch(id, &view, &stop).await {
                    Ok((claimed, later)) => {
                        if claimed >= self.cfg.batch as usize {
                            due.push(id);
                        }
                        for at in later {
                            retries.entry(at).or_default().insert(id);
                        }
                    }
                    // The next sweep tries again; nothing is lost meanwhile.
                    Err(e) => {
                        tracing::warn!(mailbox = ?id, error = %format!("{e:#}"), "mail batch failed")
                    }
                }
            }
            let next_retry = retries.first_key_value().map(|(at, _)| *at);
            tokio::select! {
                _ = stop.changed() => {}
                Some(wake) = wakes.recv() => self.take(wake, &mut due, &mut cities).await,
                _ = schedule.tick() => {
                    if let Err(e) = self.schedule().await {
                        tracing::warn!(error = %format!("{e:#}"), "cannot schedule emails");
                    }
                }
                _ = sweep.tick() => self.sweep(&mut due, &mut cities).await,
                _ = tokio::time::sleep_until(next_retry.unwrap_or_else(Instant::now)), if next_retry.is_some() => {
                    retries_due(&mut retries, &mut due);
                }
            }
        }
        listener.abort();
        let s = &self.stats;
        tracing::info!(
            worker = %self.id,
            sent = s.sent.load(Ordering::Relaxed),
            retried = s.retried.load(Ordering::Relaxed),
            parked = s.parked.load(Ordering::Relaxed),
            released = s.released.load(Ordering::Relaxed),
            "mail worker stopped"
        );
        Ok(())
    }

    /// Queues the mailbox a wake-up names.
    async fn take(&self, wake: Wakeup, due: &mut Due, cities: &mut HashMap<CityId, City>) {
        match wake {
            Wakeup::City(id) => {
                if !cities.contains_key(&id)
                    && let Ok(all) = self.cities().await
                {
                    *cities = all;
                }
                due.push(Mailbox::City(id));
            }
            Wakeup::National => due.push(Mailbox::National),
            Wakeup::Missed => due.push_all(cities),
        }
    }

    /// Queues every mailbox (the periodic sweep), with the cities read anew.
    async fn sweep(&self, due: &mut Due, cities: &mut HashMap<CityId, City>) {
        match self.cities().await {
            Ok(all) => *cities = all,
            Err(e) => tracing::warn!(error = %e, "cannot list cities"),
        }
        due.push_all(cities);
    }

    /// Runs the calendar's emails (and deletes sent emails past retention) ([`crate::scheduler`]) city by city, each
    /// in its own system transaction; a city that fails does not stop the rest.
    async fn schedule(&self) -> Result<()> {
        let now = chrono::Utc::now();
        for city in self.cities().await?.values() {
            let run = async {
                let zone = CityZone::parse(&city.time_zone)
                    .with_context(|| format!("city {} has an unknown time zone", city.slug))?;
                let mut tx = self.db.tenant(&SCHEDULER.in_city(city.id)).await?;
                let done =
                    crate::scheduler::run(&mut tx, now, zone.local(now).date_naive()).await?;
                let before = now - chrono::Duration::from_std(self.cfg.retention)?;
                let purged = soi_db::mail::outbox::purge_sent(&mut tx, before, PURGE_BATCH).await?;
                if purged > 0 {
                    tracing::info!(city = %city.slug, purged, "sent emails past retention deleted");
                }
                tx.commit().await?;
                anyhow::Ok(done)
            };
            match run.await {
                Ok(done) => tracing::debug!(city = %city.slug, ?done, "emails scheduled"),
                Err(e) => {
                    tracing::warn!(city = %city.slug, error = %format!("{e:#}"), "cannot schedule emails")
                }
            }
        }
        let mut tx = self.db.national().await?;
        let before = now - chrono::Duration::from_std(self.cfg.retention)?;
        let purged = soi_db::mail::outbox::purge_sent(&mut tx, before, PURGE_BATCH).await?;
        tx.commit().await?;
        if purged > 0 {
            tracing::info!(purged, "national emails past retention deleted");
        }
        Ok(())
    }

    async fn cities(&self) -> Result<HashMap<CityId, City>> {
        let mut tx = self.db.national().await?;
        let all = cities::list(&mut tx).await?;
        tx.commit().await?;
        Ok(all.into_iter().map(|c| (c.id, c)).collect())
    }

    /// Claims and delivers one batch of the mailbox; returns how many were
    /// claimed and when the retries among them come due.
    async fn batch(
        &self,
        mailbox: Mailbox,
        view: &CityView<'_>,
        stop: &watch::Receiver<bool>,
    ) -> Result<(usize, Vec<Instant>)> {
        let (claimed, unsubscribed, withdrawn, link_ids) = match mailbox {
            Mailbox::City(city) => {
                let mut tx = self.db.tenant(&JOB.in_city(city)).await?;
                let claimed =
                    outbox::claim(&mut tx, &self.id, self.cfg.batch, self.cfg.lease).await?;
                // Addresses that unsubscribed, among those of unsubscribable
                // kinds, and the links those emails carry.
                let optional: Vec<String> = claimed
                    .iter()
                    .filter(|e| UNSUBSCRIBABLE.contains(&e.kind.as_str()))
                    .map(|e| e.recipient_email.clone())
                    .collect();
                let unsubscribed: HashSet<String> =
                    email_preferences::unsubscribed_among(&mut tx, &optional)
                        .await?
                        .into_iter()
                        .collect();
                // Addresses of people who withdrew consent, among those of
                // kinds the law does not require: those emails are parked.
                let optional_by_law: Vec<String> = claimed
                    .iter()
                    .filter(|e| !REQUIRED_BY_LAW.contains(&e.kind.as_str()))
                    .map(|e| e.recipient_email.clone())
                    .collect();
                let withdrawn: HashSet<String> =
                    participant_privacy::withdrawn_among(&mut tx, &optional_by_law)
                        .await?
                        .into_iter()
                        .collect();
                let link_ids: HashMap<String, uuid::Uuid> = match &self.cfg.unsubscribe {
                    Some(_) => unsubscribe_links::ids_for(&mut tx, &optional)
                        .await?
                        .into_iter()
                        .collect(),
                    None => HashMap::new(),
                };
                tx.commit().await?;
                (claimed, unsubscribed, withdrawn, link_ids)
            }
            // Invitations and resets only: nothing to unsubscribe from.
            Mailbox::National => {
                let mut tx = self.db.national().await?;
                let claimed =
                    outbox::claim(&mut tx, &self.id, self.cfg.batch, self.cfg.lease).await?;
                tx.commit().await?;
                (claimed, HashSet::new(), HashSet::new(), HashMap::new())
            }
        };
        let count = claimed.len();
        if count == 0 {
            return Ok((0, Vec::new()));
        }
        let later = futures_util::stream::iter(claimed)
            .map(|email| {
                let optional = UNSUBSCRIBABLE.contains(&email.kind.as_str());
                let address = email.recipient_email.trim().to_lowercase();
                let suppressed = if participant_privacy::is_erased_email(&address) {
                    Some(ERASED)
                } else if withdrawn.contains(&address)
                    && !REQUIRED_BY_LAW.contains(&email.kind.as_str())
                {
                    Some(WITHDRAWN)
                } else if optional && unsubscribed.contains(&address) {
                    Some(UNSUBSCRIBED)
                } else {
                    None
                };
                let link = match (&self.cfg.unsubscribe, mailbox, link_ids.get(&address)) {
                    (Some(links), Mailbox::City(city), Some(id)) if optional => {
                        Some(links.url(city, *id))
                    }
                    _ => None,
                };
                self.deliver(mailbox, view, email, (suppressed, link), stop)
            })
            .buffer_unordered(self.cfg.concurrency as usize)
            .filter_map(std::future::ready)
            .collect()
            .await;
        Ok((count, later))
    }

    /// Tries one claimed message and records the outcome; returns when it is
    /// due again if it is to be retried.
    async fn deliver(
        &self,
        mailbox: Mailbox,
        city: &CityView<'_>,
        email: Email,
        (suppressed, unsubscribe): (Option<&'static str>, Option<String>),
        stop: &watch::Receiver<bool>,
    ) -> Option<Instant> {
        let max = i32::try_from(self.cfg.max_attempts).unwrap_or(i32::MAX);
        let outcome = if *stop.borrow() {
            Outcome::Release
        } else if let Some(reason) = suppressed {
            // Parked, not sent: the row tells the truth, and an admin sees it.
            Outcome::Park(reason.to_owned())
        } else if email.attempts > max {
            // Claimed again and again by workers that died mid-send.
            Outcome::Park(format!("gave up after {max} attempts"))
        } else {
            match crate::kinds::accounts::open_link(
                &email.payload,
                self.cfg.sealer.as_ref(),
                &email.kind,
                &email.recipient_email,
            )
            .map_err(|e| e.to_owned())
            .and_then(|payload| {
                self.templates
                    .render(&email.kind, email.language, city, &payload)
                    .map_err(|e| format!("cannot render the template: {e}"))
            }) {
                Err(e) => Outcome::Park(e),
                Ok(mail) => match self
                    .mailer
                    .send_listed(
                        email.id,
                        &email.recipient_email,
                        &mail,
                        unsubscribe.as_deref(),
                    )
                    .await
                {
                    Ok(answer) => Outcome::Sent(answer),
                    Err(e) if e.permanent => Outcome::Park(format!("refused: {}", e.detail)),
                    Err(e) if email.attempts >= max => Outcome::Park(format!(
                        "gave up after {} attempts; last: {}",
                        email.attempts, e.detail
                    )),
                    Err(e) => Outcome::Retry(self.backoff(email.attempts), e.detail),
                },
            }
        };
        let retry_at = match &outcome {
            Outcome::Retry(wait, _) => Some(Instant::now() + *wait),
            _ => None,
        };
        // Addresses and server answers stay in the outbox row, not in logs.
        let what = match &outcome {
            Outcome::Sent(_) => "sent",
            Outcome::Retry(..) => "retry",
            Outcome::Park(_) => "parked",
            Outcome::Release => "released",
        };
        tracing::debug!(email = %email.id, kind = %email.kind, attempt = email.attempts, outcome = what, "email");
        for attempt in 1..=3u32 {
            match self.record(mailbox, &email, &outcome).await {
                Ok(()) => break,
                // Unrecorded, the claim lapses and the message is tried again:
                // maybe twice, never lost.
                Err(e) if attempt == 3 => {
                    tracing::warn!(email = %email.id, error = %e, "cannot record an email's outcome")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await,
            }
        }
        if what == "parked" {
            tracing::warn!(email = %email.id, kind = %email.kind, attempt = email.attempts, "email parked");
        }
        retry_at
    }

    async fn record(&self, mailbox: Mailbox, email: &Email, outcome: &Outcome) -> Result<()> {
        match mailbox {
            Mailbox::City(city) => {
                let mut tx = self.db.tenant(&JOB.in_city(city)).await?;
                self.apply(&mut tx, email, outcome).await?;
                tx.commit().await?;
            }
            Mailbox::National => {
                let mut tx = self.db.national().await?;
                self.apply(&mut tx, email, outcome).await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }

    /// Writes an outcome in the message's own mailbox.
    async fn apply(&self, tx: &mut impl MailTx, email: &Email, outcome: &Outcome) -> Result<()> {
        let tx = &mut *tx;
        match outcome {
            Outcome::Sent(answer) => {
                outbox::mark_sent(tx, email.id, &self.mailer.message_id(email.id), answer).await?;
                self.stats.add(&self.stats.sent);
            }
            Outcome::Retry(wait, error) => {
                let at = chrono::Utc::now() + chrono::Duration::from_std(*wait)?;
                outbox::mark_retry(tx, email.id, &self.id, at, error).await?;
                self.stats.add(&self.stats.retried);
            }
            Outcome::Park(reason) => {
                outbox::park(tx, email.id, &self.id, reason).await?;
                self.stats.add(&self.stats.parked);
            }
            Outcome::Release => {
                outbox::release(tx, email.id, &self.id).await?;
                self.stats.add(&self.stats.released);
            }
        }
        Ok(())
    }

    /// base·2^(attempt-1), capped, less up to half at random (so messages
    /// that failed together do not all come back together).
    fn backoff(&self, attempt: i32) -> Duration {
        let doublings = u32::try_from(attempt.saturating_sub(1))
            .unwrap_or(0)
            .min(30);
        let full = self
            .cfg
            .backoff_base
            .saturating_mul(1 << doublings)
            .min(self.cfg.backoff_max);
        let random = f64::from(getrandom::u32().unwrap_or(u32::MAX / 2)) / f64::from(u32::MAX);
        full.mul_f64(0.5 + 0.5 * random)
    }
}

/// How a city's emails name it and tell its time.
fn view_of(city: &City) -> Result<CityView<'_>> {
    Ok(CityView {
        name_kk: &city.name_kk,
        name_ru: &city.name_ru,
        name_en: &city.name_en,
        zone: CityZone::parse(&city.time_zone)
            .with_context(|| format!("city {} has an unknown time zone", city.slug))?,
    })
}

fn national_view() -> Result<CityView<'static>> {
    let (kk, ru, en, zone) = NATIONAL_VIEW;
    Ok(CityView {
        name_kk: kk,
        name_ru: ru,
        name_en: en,
        zone: CityZone::parse(zone).context("the national time zone is unknown")?,
    })
}

/// Queues the mailboxes whose retries have come due.
fn retries_due(retries: &mut BTreeMap<Instant, HashSet<Mailbox>>, due: &mut Due) {
    let now = Instant::now();
    while let Some(entry) = retries.first_entry() {
        if *entry.key() > now {
            break;
        }
        entry.remove().into_iter().for_each(|id| due.push(id));
    }
}

/// Mailboxes waiting for a batch, each once, in order.
#[derive(Default)]
struct Due {
    order: VecDeque<Mailbox>,
    queued: HashSet<Mailbox>,
}

impl Due {
    fn push(&mut self, id: Mailbox) {
        if self.queued.insert(id) {
            self.order.push_back(id);
        }
    }

    /// Every city's mailbox and the national one.
    fn push_all(&mut self, cities: &HashMap<CityId, City>) {
        cities.keys().for_each(|id| self.push(Mailbox::City(*id)));
        self.push(Mailbox::National);
    }

    fn pop(&mut self) -> Option<Mailbox> {
        let id = self.order.pop_front()?;
        self.queued.remove(&id);
        Some(id)
    }
}

/// Forwards wake-ups from PostgreSQL; while it cannot listen, it says
/// `Missed` now and then so the worker keeps sweeping.
async fn listen(cfg: DbConfig, out: mpsc::UnboundedSender<Wakeup>) {
    loop {
        let mut wakeups = match Wakeups::connect(&cfg).await {
            // Mail that came due before LISTEN took hold (the worker's first
            // sweep may run first) or while it was re-opened was announced
            // to nobody: look at every city once it listens.
            Ok(w) => {
                if out.send(Wakeup::Missed).is_err() {
                    return;
                }
                w
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for outbox wake-ups");
                if out.send(Wakeup::Missed).is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        };
        loop {
            let wake = match wakeups.next().await {
                Ok(w) => w,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox wake-ups interrupted");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    Wakeup::Missed
                }
            };
            if out.send(wake).is_err() {
                return;
            }
        }
    }
}
