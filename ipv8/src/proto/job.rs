//! CPU jobs: work that takes milliseconds (a zero-knowledge proof, a batch of signatures) and must
//! not stall the node's loop. A community hands the work to
//! [`Context::spawn_job`](super::Context::spawn_job); the driver takes it with
//! [`Node::poll_job`](super::Node::poll_job), runs it wherever it likes (the tokio runtime on its
//! blocking pool, the simulator at once), and gives the result back with
//! [`Node::handle_job_done`](super::Node::handle_job_done), which runs the community's callback.
//! The node keeps handling packets in between.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::host::{During, Host, Overlay};
use super::shared::{JOB_LIMIT, Shared};
use super::{Community, CommunityId, Context};

/// Why a job was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JobError {
    /// Too many jobs wait for the driver already.
    #[error("too many CPU jobs are queued")]
    Busy,
}

/// Applies a finished job's result to its community.
type Apply = Box<dyn FnOnce(&mut (dyn Overlay + 'static), &mut Shared) + Send>;

/// Work for the driver to run off the node's loop.
pub struct Job {
    id: u64,
    owner: CommunityId,
    work: Box<dyn FnOnce() -> Apply + Send>,
}

impl fmt::Debug for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Job")
            .field("id", &self.id)
            .field("owner", &self.owner)
            .finish_non_exhaustive()
    }
}

impl Job {
    /// The job's number, unique within its node.
    #[must_use]
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The community that spawned it.
    #[must_use]
    pub fn owner(&self) -> CommunityId {
        self.owner
    }

    /// Runs the work (on whatever thread the driver chooses); a panic is caught and reported to
    /// the node as the job's outcome.
    #[must_use]
    pub fn run(self) -> JobDone {
        let outcome = catch_unwind(AssertUnwindSafe(self.work))
            .map_err(|panic| super::host::panic_message(panic.as_ref()));
        JobDone { id: self.id, owner: self.owner, outcome }
    }
}

/// A job's result, for [`Node::handle_job_done`](super::Node::handle_job_done).
pub struct JobDone {
    id: u64,
    owner: CommunityId,
    outcome: Result<Apply, String>,
}

impl fmt::Debug for JobDone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobDone")
            .field("id", &self.id)
            .field("owner", &self.owner)
            .field("panicked", &self.outcome.is_err())
            .finish()
    }
}

impl JobDone {
    /// The job's number.
    #[must_use]
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The community that spawned it.
    #[must_use]
    pub fn owner(&self) -> CommunityId {
        self.owner
    }

    /// Hands the result to its community (`None`: the community is gone).
    pub(crate) fn apply(self, overlay: Option<&mut (dyn Overlay + 'static)>, shared: &mut Shared) {
        match (self.outcome, overlay) {
            (Ok(apply), Some(overlay)) => apply(overlay, shared),
            (Ok(_), None) => shared.stats.send_failed("job_owner_gone"),
            (Err(message), _) => {
                shared.stats.panics += 1;
                tracing::error!(community = %self.owner, job = self.id, %message, "a CPU job panicked");
                shared.emit(super::Event::Panicked {
                    community_id: self.owner,
                    during: During::Job.to_string(),
                    message,
                });
            }
        }
    }
}

impl<C: Community> Context<'_, C> {
    /// Runs `work` off the node's loop (the runtime's blocking pool; the simulator runs it at
    /// once), then `on_done` with its result, this community and its context. Returns the job's
    /// number.
    ///
    /// # Errors
    ///
    /// [`JobError::Busy`] when 256 jobs already wait for the driver.
    ///
    /// # Examples
    ///
    /// ```
    /// use ipv8::community;
    /// use ipv8::proto::{Community, CommunityId, Context};
    /// use ipv8::testing::TestNetwork;
    ///
    /// #[derive(Default)]
    /// struct Prover {
    ///     proof: Option<u64>,
    /// }
    ///
    /// #[community]
    /// impl Prover {}
    ///
    /// impl Community for Prover {
    ///     fn community_id(&self) -> CommunityId {
    ///         CommunityId(*b"prover community id!")
    ///     }
    ///
    ///     fn started(&mut self, ctx: &mut Context<'_, Self>) {
    ///         let heavy = || (1..=20u64).product::<u64>();
    ///         let _ = ctx.spawn_job(heavy, |me, _ctx, proof| me.proof = Some(proof));
    ///     }
    /// }
    ///
    /// let net = TestNetwork::initialize(1, |_| Prover::default());
    /// assert_eq!(net.overlay(0).proof, Some(2_432_902_008_176_640_000));
    /// ```
    pub fn spawn_job<T: Send + 'static>(
        &mut self,
        work: impl FnOnce() -> T + Send + 'static,
        on_done: impl FnOnce(&mut C, &mut Context<'_, C>, T) + Send + 'static,
    ) -> Result<u64, JobError> {
        let owner = self.community_id();
        let mailbox = &mut self.shared.mailbox;
        if mailbox.jobs.len() >= JOB_LIMIT {
            return Err(JobError::Busy);
        }
        mailbox.next_job += 1;
        let id = mailbox.next_job;
        let work = Box::new(move || {
            let value = work();
            let apply: Apply =
                Box::new(move |overlay: &mut (dyn Overlay + 'static), shared: &mut Shared| {
                    let host: Option<&mut Host<C>> = overlay.as_any_mut().downcast_mut();
                    if let Some(host) = host {
                        host.run(shared, During::Job, |community, ctx| {
                            on_done(community, ctx, value);
                        });
                    }
                });
            apply
        });
        mailbox.jobs.push_back(Job { id, owner, work });
        Ok(id)
    }
}
