//! Jobs: submission, the draw, commits, reveals, cancellation, and the schedule and weights
//! they follow.
//!
//! ## The schedule ([`Pallet::schedule`])
//!
//! A job included in block `s` is drawn at the start of `s + 1`. An off-chain worker learns
//! its seat when it imports `s + 1`, so its commit lands in `s + 2` at the earliest, `c`
//! blocks later for a model declaring `compute_blocks = c`, and `σ = PropagationSlack` more
//! under load. Commits are therefore accepted up to `commit_end ≥ s + 3 + c + σ`. A worker
//! reveals once it imports `commit_end` (or sooner, when every seat committed), which lands
//! in `commit_end + 1 + σ` at the latest, so `deadline ≥ commit_end + 2 + σ`. Any shorter
//! deadline is refused: no honest operator can ever be silent because the window was
//! unreachable. Longer jobs split the time in half between the phases.

use crate::{pallet::*, *};
use alloc::vec::Vec;
use codec::Encode;
use frame_support::traits::tokens::Precision;
use pallet_verity_models::{ModelRegistry, ModelStatus};
use sp_runtime::traits::{CheckedMul, Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// The phase boundaries of a job submitted at `now` for a model needing `compute_blocks`,
	/// given the deadline its submitter asked for.
	pub fn schedule(
		now: BlockNumberFor<T>,
		compute_blocks: u32,
		deadline: BlockNumberFor<T>,
	) -> Schedule<BlockNumberFor<T>> {
		let slack = T::PropagationSlack::get();
		let earliest_commit_end = now
			.saturating_add(3u32.into())
			.saturating_add(compute_blocks.into())
			.saturating_add(slack);
		let reveal_span = slack.saturating_add(2u32.into());
		let earliest_deadline = earliest_commit_end.saturating_add(reveal_span);
		let half = deadline.saturating_sub(now) / 2u32.into();
		let commit_end = now.saturating_add(half).max(earliest_commit_end);
		Schedule { commit_end, earliest_deadline }
	}

	/// The deposit a submission holds now: `JobDeposit × (1 + DepositSurge × open / max)`.
	pub fn current_deposit() -> BalanceOf<T> {
		let base = T::JobDeposit::get();
		let surge = settlement::pro_rata(
			base.saturating_mul(T::DepositSurge::get().into()),
			OpenJobs::<T>::get().into(),
			T::MaxOpenJobs::get().max(1).into(),
		);
		base.saturating_add(surge)
	}

	/// [`Pallet::submit_job`] after the origin check. Returns the job id, how many candidates
	/// were considered, and the job's replication.
	pub(crate) fn do_submit(
		submitter: T::AccountId,
		request: JobRequest<T>,
	) -> Result<(JobId, u32, u32), DispatchError> {
		let JobRequest { model: model_id, input, max_fee, replication, quorum, deadline } = request;
		let now = frame_system::Pallet::<T>::block_number();
		let model = T::Models::model(&model_id).ok_or(Error::<T>::ModelNotFound)?;
		ensure!(model.status == ModelStatus::Active, Error::<T>::ModelDeprecated);
		ensure!(!input.is_empty(), Error::<T>::EmptyInput);
		ensure!(input.len() <= model.spec.max_input_len as usize, Error::<T>::InputTooLong);
		let min_k = model.spec.replication.max(MinReplication::<T>::get());
		let k = replication.unwrap_or(min_k);
		ensure!(
			(min_k..=MaxReplicationOf::<T>::get()).contains(&k),
			Error::<T>::InvalidReplication
		);
		// The model's default is capped; an explicit request above the cap is refused.
		let quorum = match quorum {
			Some(q) => {
				ensure!(q <= T::MaxQuorum::get(), Error::<T>::QuorumTooHigh);
				q
			}
			None => model.spec.quorum.min(T::MaxQuorum::get()),
		};
		ensure!(quorum >= T::Models::min_quorum(), Error::<T>::QuorumTooLow);
		let schedule = Self::schedule(now, model.spec.compute_blocks, deadline);
		ensure!(deadline >= schedule.earliest_deadline, Error::<T>::DeadlineTooSoon);
		ensure!(
			deadline <= now.saturating_add(T::MaxJobDuration::get()),
			Error::<T>::DeadlineTooFar
		);
		let fee = model.spec.price.checked_mul(&k.into()).ok_or(Error::<T>::FeeOverflow)?;
		ensure!(max_fee >= fee, Error::<T>::FeeTooLow);
		ensure!(OpenJobs::<T>::get() < T::MaxOpenJobs::get(), Error::<T>::QueueFull);
		let open_of = OpenJobsOf::<T>::get(&submitter).unwrap_or(0);
		ensure!(open_of < T::MaxOpenJobsPerAccount::get(), Error::<T>::TooManyOpenJobs);
		let mut pending = PendingDraws::<T>::get();
		ensure!(!pending.is_full(), Error::<T>::BlockFull);
		let mut agenda = Agenda::<T>::get(deadline).unwrap_or_default();
		ensure!(!agenda.is_full(), Error::<T>::DeadlineFull);
		// A job that could not be drawn now is refused now, not failed later.
		let candidates = T::Operators::operators_serving(&model_id);
		let considered = candidates.len() as u32;
		let eligible = candidates.iter().filter(|(_, stake)| !stake.is_zero()).count();
		ensure!(eligible >= k as usize, Error::<T>::NotEnoughOperators);
		let job_id = NextJobId::<T>::get();
		let next_id = job_id.checked_add(1).ok_or(Error::<T>::JobIdOverflow)?;
		let deposit = Self::current_deposit();

		// Writes.
		T::Currency::hold(&HoldReason::JobEscrow.into(), &submitter, fee)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		T::Currency::hold(&HoldReason::JobDeposit.into(), &submitter, deposit)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		T::Models::job_opened(&model_id)?;
		agenda.try_push(job_id).map_err(|_| Error::<T>::DeadlineFull)?;
		pending.try_push(job_id).map_err(|_| Error::<T>::BlockFull)?;
		Agenda::<T>::insert(deadline, agenda);
		PendingDraws::<T>::put(pending);
		Inputs::<T>::insert(job_id, input);
		Jobs::<T>::insert(
			job_id,
			Job::<T> {
				submitter: submitter.clone(),
				model: model_id,
				manifest: model.manifest,
				fee,
				deposit,
				replication: k,
				quorum,
				contract: model.spec.contract,
				royalty: model.spec.royalty,
				max_output_len: model.spec.max_output_len,
				submitted_at: now,
				commit_end: schedule.commit_end,
				deadline,
				assignments: Default::default(),
				assigned_stake: Zero::zero(),
				commits: 0,
				reveals: 0,
			},
		);
		OpenJobs::<T>::mutate(|n| n.saturating_inc());
		OpenJobsOf::<T>::insert(&submitter, open_of.saturating_add(1));
		NextJobId::<T>::put(next_id);
		Self::deposit_event(Event::JobSubmitted {
			job_id,
			model: model_id,
			submitter,
			fee,
			deposit,
			replication: k,
			commit_end: schedule.commit_end,
			deadline,
		});
		Ok((job_id, considered, k))
	}

	/// Draw the operators of the jobs submitted in the previous block. Returns the weight
	/// used. A job whose operators left in between fails with a full refund.
	pub(crate) fn draw_pending() -> Weight {
		let pending = PendingDraws::<T>::take();
		let mut weight = T::DbWeight::get().reads_writes(1, 1);
		if pending.is_empty() {
			return weight;
		}
		let (random, _) = T::Randomness::random(ASSIGNMENT_SUBJECT);
		let now = frame_system::Pallet::<T>::block_number();
		for job_id in pending {
			let Some(job) = Jobs::<T>::get(job_id) else {
				// Cancelled in its submission block.
				weight.saturating_accrue(T::DbWeight::get().reads(1));
				continue;
			};
			weight.saturating_accrue(T::WeightInfo::draw(
				<T::Operators as OperatorProvider<_, _>>::MaxServing::get(),
				job.replication,
			));
			Self::draw_job(job_id, job, &random, now);
		}
		weight
	}

	fn draw_job(job_id: JobId, mut job: Job<T>, random: &T::Hash, now: BlockNumberFor<T>) {
		let candidates = T::Operators::operators_serving(&job.model).into_inner();
		let seed = (ASSIGNMENT_SUBJECT, job_id, random).using_encoded(sp_io::hashing::blake2_256);
		let Some(drawn) = assignment::draw(candidates, job.replication as usize, &seed) else {
			Jobs::<T>::remove(job_id);
			Self::fail(job_id, job, FailureReason::NotEnoughOperators);
			return;
		};
		let assigned_stake =
			drawn.iter().fold(BalanceOf::<T>::zero(), |acc, (_, s)| acc.saturating_add(*s));
		let assignments: Vec<_> = drawn
			.into_iter()
			.map(|(operator, stake)| Assignment {
				operator,
				stake,
				commitment: None,
				revealed: false,
			})
			.collect();
		let operators: Vec<T::AccountId> = assignments.iter().map(|a| a.operator.clone()).collect();
		job.assignments = BoundedVec::truncate_from(assignments);
		job.assigned_stake = assigned_stake;
		for a in job.assignments.iter() {
			OperatorJobs::<T>::insert(&a.operator, job_id, ());
		}
		Jobs::<T>::insert(job_id, job);
		log::debug!(target: LOG_TARGET, "job {job_id} drawn at {now:?}");
		Self::deposit_event(Event::JobAssigned {
			job_id,
			operators: BoundedVec::truncate_from(operators),
		});
	}

	/// [`Pallet::commit`] after the origin check.
	pub(crate) fn do_commit(
		operator: T::AccountId,
		job_id: JobId,
		commitment: Digest,
	) -> DispatchResult {
		let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::JobNotFound)?;
		let now = frame_system::Pallet::<T>::block_number();
		let seat = Self::check_commit(&job, &operator, now)?;
		let assignment = job.assignments.get_mut(seat).ok_or(Error::<T>::NotAssigned)?;
		assignment.commitment = Some(commitment);
		job.commits.saturating_inc();
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::Committed { job_id, operator });
		Ok(())
	}

	/// Whether `operator` may commit to `job` at block `now`; its seat if so.
	pub(crate) fn check_commit(
		job: &Job<T>,
		operator: &T::AccountId,
		now: BlockNumberFor<T>,
	) -> Result<usize, Error<T>> {
		ensure!(now < job.commit_end, Error::<T>::CommitPhaseOver);
		ensure!(job.is_drawn(), Error::<T>::NotDrawnYet);
		let seat = job.seat_of(operator).ok_or(Error::<T>::NotAssigned)?;
		let assignment = job.assignments.get(seat).ok_or(Error::<T>::NotAssigned)?;
		ensure!(assignment.commitment.is_none(), Error::<T>::AlreadyCommitted);
		Ok(seat)
	}

	/// Whether `operator` may reveal `(output, salt)` for `job` at block `now`; its seat if
	/// so.
	pub(crate) fn check_reveal(
		job: &Job<T>,
		operator: &T::AccountId,
		now: BlockNumberFor<T>,
		output: &[u8],
		salt: &[u8; 32],
	) -> Result<usize, Error<T>> {
		ensure!(now < job.deadline, Error::<T>::RevealPhaseOver);
		ensure!(job.phase(now) == JobPhase::Reveal, Error::<T>::RevealPhaseNotOpen);
		let seat = job.seat_of(operator).ok_or(Error::<T>::NotAssigned)?;
		let assignment = job.assignments.get(seat).ok_or(Error::<T>::NotAssigned)?;
		let committed = assignment.commitment.ok_or(Error::<T>::NotCommitted)?;
		ensure!(!assignment.revealed, Error::<T>::AlreadyRevealed);
		ensure!(output.len() <= job.max_output_len as usize, Error::<T>::OutputTooLong);
		let expected = verity_primitives::contract::commitment(
			output,
			salt,
			&operator.using_encoded(|o| o.to_vec()),
		);
		ensure!(expected == committed, Error::<T>::RevealMismatch);
		Ok(seat)
	}

	/// [`Pallet::reveal`] after the origin check. Returns the job's replication if the reveal
	/// settled it.
	pub(crate) fn do_reveal(
		operator: T::AccountId,
		job_id: JobId,
		output: OutputOf<T>,
		salt: [u8; 32],
	) -> Result<Option<u32>, DispatchError> {
		let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::JobNotFound)?;
		let now = frame_system::Pallet::<T>::block_number();
		let seat = Self::check_reveal(&job, &operator, now, &output, &salt)?;
		let assignment = job.assignments.get_mut(seat).ok_or(Error::<T>::NotAssigned)?;
		assignment.revealed = true;
		job.reveals.saturating_inc();
		let output_digest = sp_io::hashing::blake2_256(&output);
		Reveals::<T>::insert(job_id, seat as u32, output);
		Self::deposit_event(Event::Revealed { job_id, operator, output_digest });
		if job.ready_to_settle(now) {
			let k = job.assignments.len() as u32;
			Jobs::<T>::remove(job_id);
			Self::settle(job_id, job, now);
			Ok(Some(k))
		} else {
			Jobs::<T>::insert(job_id, job);
			Ok(None)
		}
	}

	/// [`Pallet::cancel`] after the origin check. Returns the job's replication.
	pub(crate) fn do_cancel(who: T::AccountId, job_id: JobId) -> Result<u32, DispatchError> {
		let job = Jobs::<T>::get(job_id).ok_or(Error::<T>::JobNotFound)?;
		ensure!(job.submitter == who, Error::<T>::NotSubmitter);
		ensure!(job.commits == 0, Error::<T>::CommitsExist);
		Jobs::<T>::remove(job_id);
		let refunded = Self::release_held(HoldReason::JobEscrow, &job.submitter, job.fee);
		let deposit_forfeited = if job.is_drawn() {
			Self::forfeit_deposit(&job.submitter, job.deposit)
		} else {
			PendingDraws::<T>::mutate(|p| p.retain(|j| *j != job_id));
			Self::release_held(HoldReason::JobDeposit, &job.submitter, job.deposit);
			Zero::zero()
		};
		Self::close(job_id, &job);
		Self::deposit_event(Event::JobCancelled { job_id, refunded, deposit_forfeited });
		Ok(job.replication)
	}

	/// Release `amount` held for `reason` from `who`; returns what was released.
	pub(crate) fn release_held(
		reason: HoldReason,
		who: &T::AccountId,
		amount: BalanceOf<T>,
	) -> BalanceOf<T> {
		if amount.is_zero() {
			return amount;
		}
		T::Currency::release(&reason.into(), who, amount, Precision::BestEffort).unwrap_or_else(
			|e| {
				defensive!("a job's hold could not be released", e);
				Zero::zero()
			},
		)
	}

	/// Take `amount` of `who`'s submission deposit to `Forfeit`; returns what was taken.
	pub(crate) fn forfeit_deposit(who: &T::AccountId, amount: BalanceOf<T>) -> BalanceOf<T> {
		use frame_support::traits::{fungible::hold::Balanced as _, Imbalance};
		if amount.is_zero() {
			return amount;
		}
		let (credit, missing) = T::Currency::slash(&HoldReason::JobDeposit.into(), who, amount);
		if !missing.is_zero() {
			defensive!("a job deposit was not fully held");
		}
		let taken = credit.peek();
		T::Forfeit::on_unbalanced(credit);
		taken
	}

	/// The weight `submit_job` charges for a job of replication `k` with `input_len` bytes,
	/// having considered `n` candidates: the call, the draw in the next block, and the `2k`
	/// attestations its operators send without a fee, so the submitter pays for all the work
	/// the job causes.
	pub fn submit_weight(n: u32, k: u32, input_len: u32) -> Weight {
		let max_output = MaxOutputLenOf::<T>::get();
		let attestations = T::WeightInfo::authorize_commit()
			.saturating_add(T::WeightInfo::commit())
			.saturating_add(T::WeightInfo::authorize_reveal(max_output))
			.saturating_add(T::WeightInfo::reveal(max_output));
		T::WeightInfo::submit_job(n, k, input_len)
			.saturating_add(T::WeightInfo::draw(
				<T::Operators as OperatorProvider<_, _>>::MaxServing::get(),
				k,
			))
			.saturating_add(attestations.saturating_mul(k.into()))
	}

	/// The weight of a reveal of `len` bytes that settled a job of replication `k`, or did not
	/// settle it (`None`).
	pub fn reveal_weight(settled_k: Option<u32>, len: u32) -> Weight {
		match settled_k {
			Some(k) => T::WeightInfo::reveal_and_settle(k, len),
			None => T::WeightInfo::reveal(len),
		}
	}

	/// The weight of settling a job of replication `k` with outputs up to `output_len` bytes
	/// at its deadline, reads and offence reports included.
	pub fn deadline_weight(k: u32, output_len: u32) -> Weight {
		T::WeightInfo::settle_at_deadline(k, output_len)
	}

	/// The agenda's fixed cost per block: the intercept of the `service_agenda` weight.
	pub fn agenda_base_weight() -> Weight {
		T::WeightInfo::service_agenda(0)
	}

	/// The cost of visiting one agenda block: the slope of the `service_agenda` weight.
	pub fn agenda_block_weight() -> Weight {
		T::WeightInfo::service_agenda(1).saturating_sub(T::WeightInfo::service_agenda(0))
	}

	/// Panic unless the configuration is coherent and a full block of draws and agenda work
	/// fits its budget.
	pub(crate) fn check_integrity() {
		let max_k = MaxReplicationOf::<T>::get();
		assert!((1..=32).contains(&max_k), "MaxReplication must be within 1..=32");
		assert!(
			T::MaxQuorum::get() >= T::Models::min_quorum(),
			"MaxQuorum must be at least the registry's MinQuorum"
		);
		assert!(
			T::MaxQuorum::get() <= Perbill::from_rational(2u32, 3u32),
			"MaxQuorum above two thirds lets one seat of three veto every job"
		);
		let shortest = Self::schedule(Zero::zero(), 0, Zero::zero()).earliest_deadline;
		assert!(
			T::MaxJobDuration::get() >= shortest,
			"MaxJobDuration must allow the shortest schedule"
		);
		assert!(T::MaxJobsPerBlock::get() > 0, "MaxJobsPerBlock must be positive");
		assert!(T::MaxDrawsPerBlock::get() > 0, "MaxDrawsPerBlock must be positive");
		assert!(T::MaxOpenJobsPerAccount::get() > 0, "MaxOpenJobsPerAccount must be positive");
		assert!(
			<T::Operators as OperatorProvider<_, _>>::MaxServing::get() >= max_k,
			"the operator provider must be able to list MaxReplication operators"
		);
		assert!(T::MaxOpenJobs::get() > 0, "MaxOpenJobs must be positive");
		let worst_job = Self::deadline_weight(max_k, MaxOutputLenOf::<T>::get());
		let full_block = Self::agenda_base_weight()
			.saturating_add(Self::agenda_block_weight())
			.saturating_add(worst_job.saturating_mul(T::MaxJobsPerBlock::get().into()))
			.saturating_add(T::WeightInfo::expire_result());
		assert!(
			full_block.all_lte(T::AgendaWeight::get()),
			"AgendaWeight {:?} cannot serve a full agenda block of worst-case jobs ({:?})",
			T::AgendaWeight::get(),
			full_block
		);
		let max_block = <T as frame_system::Config>::BlockWeights::get().max_block;
		let draws =
			T::WeightInfo::draw(<T::Operators as OperatorProvider<_, _>>::MaxServing::get(), max_k)
				.saturating_mul(T::MaxDrawsPerBlock::get().into());
		assert!(
			draws.all_lte(max_block / 4),
			"a full block of draws takes more than a quarter of the block"
		);
		let max_extrinsic = <T as frame_system::Config>::BlockWeights::get()
			.get(DispatchClass::Normal)
			.max_extrinsic
			.unwrap_or(max_block);
		let worst_reveal = T::WeightInfo::reveal_and_settle(max_k, MaxOutputLenOf::<T>::get());
		let worst_submit = Self::submit_weight(
			<T::Operators as OperatorProvider<_, _>>::MaxServing::get(),
			max_k,
			MaxInputLenOf::<T>::get(),
		);
		assert!(worst_reveal.all_lte(max_extrinsic), "a settling reveal exceeds max_extrinsic");
		assert!(worst_submit.all_lte(max_extrinsic), "submit_job exceeds max_extrinsic");
	}
}
