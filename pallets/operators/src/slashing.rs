//! Slashing: reports, slashing spans, the deferred-slash agenda, and the per-operator slash
//! factor that makes a slash O(1) in the number of delegators.
//!
//! **Report.** [`Pallet::do_report_offence`] (the provider's `report_offence`) computes
//! `fraction × exposure`, where `exposure` is the operator's stake at risk when the job was
//! assigned. Stake that joins later can therefore only dilute a slash (it takes a pro rata
//! share of a fixed amount), never enlarge it. The report touches no balance.
//!
//! **Spans.** Blocks are cut into spans of `SlashSpanLength` blocks (`index = block / length`).
//! Within one span an operator loses at most the largest amount reported for it in that span:
//! a report schedules only what exceeds the span's largest so far ([`SlashSpans`]), so one
//! incident (an outage that silences 50 jobs, a nondeterminism bug) is slashed once. Spans are
//! aligned windows, so an incident that straddles a boundary is slashed at most twice.
//!
//! **Deferral.** What a report schedules waits in [`DeferredSlashes`] under the block
//! `now + SlashDeferDuration`, merged with any other report of the same operator due in that
//! block (so a block holds at most one entry per operator, `MaxOperators` in all).
//! `CancelOrigin` may cancel it meanwhile ([`Pallet::cancel_deferred_slash`]); a cancelled
//! report still counts as the span's largest. `on_initialize` applies due slashes from
//! [`SlashAgendaCursor`] on, under a [`WeightMeter`] limited to `SlashAgendaWeight`, and
//! resumes where it stopped in the next block.
//!
//! **Application, O(1).** Applying `amount` (capped by the operator's total stake, active and
//! unbonding, *as held at application*) multiplies the operator's slash factor by
//! `(total − amount) / total` (rounded down) and scales its totals by the same ratio (rounded
//! up), recording the difference as [`OperatorInfo::untaken`]. No position is read: each
//! position stores the factor it last synced at, and [`Pallet::sync`] brings it up to date the
//! next time it is touched (bond, unbond, delegate, undelegate, redelegate, withdraw, claim):
//! rewards are settled first, then the active stake and every unbonding chunk are scaled by
//! `factor / factor_synced` (rounded down, in the network's favour), and the difference is
//! slashed from the staker's hold ([`Pallet::take_slash`]) and handed to `OnSlash` there and
//! then. `OnSlash` thus receives a slash piecemeal, as the positions sync; until then the stake
//! stays held, so it cannot escape: every way out of a position syncs it first.
//!
//! **Rounding.** Positions round down and totals round up, so an operator's totals are never
//! below the sum of what its positions are worth (rewards shared by the totals can be paid);
//! the dust between them is taken from `untaken` as the positions sync, and vanishes once all
//! have synced. A factor that would fall below [`MIN_SLASH_FACTOR`] becomes zero: the slash
//! takes everything and the operator, slashed out, takes no new stake.

use crate::*;
use frame_support::{
	traits::fungible::hold::Balanced as _, traits::EnsureOrigin, weights::WeightMeter,
};
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{UniqueSaturatedFrom, UniqueSaturatedInto},
	Rounding,
};
use verity_primitives::{operators::Offence, JobId};

/// `value × numerator / denominator` with `rounding`, saturating; `value` when the
/// denominator is zero (callers rule that out).
fn scale<B: UniqueSaturatedFrom<u128> + UniqueSaturatedInto<u128> + Copy>(
	value: B,
	numerator: u128,
	denominator: u128,
	rounding: Rounding,
) -> B {
	if denominator == 0 {
		frame_support::defensive!("a slash ratio with a zero denominator");
		return value;
	}
	let raw: u128 = value.unique_saturated_into();
	match multiply_by_rational_with_rounding(raw, numerator, denominator, rounding) {
		Some(v) => B::unique_saturated_from(v),
		None => {
			frame_support::defensive!("a slash ratio overflows u128");
			value
		}
	}
}

impl<T: Config> Pallet<T> {
	/// What `stored` stake, stored at factor `synced`, is worth at factor `factor` (rounded
	/// down). Zero once the operator has been slashed out.
	pub fn slashed_value(stored: BalanceOf<T>, synced: u128, factor: u128) -> BalanceOf<T> {
		if synced == factor || stored.is_zero() {
			return stored;
		}
		if synced == 0 || factor == 0 {
			return Zero::zero();
		}
		scale(stored, factor, synced, Rounding::Down).min(stored)
	}

	/// Bring `position` up to date with `info` in memory: settle its rewards, then apply the
	/// slashes since it last synced to its active stake and unbonding chunks, moving the cut
	/// out of `info.untaken` (or, for rounding dust beyond it, out of the totals). Returns the
	/// amount to take from the staker's hold with [`Self::take_slash`]. Must run before any
	/// change of the position's stake.
	pub(crate) fn sync(
		info: &mut OperatorInfo<T>,
		position: &mut StakeInfo<T>,
		own: bool,
	) -> BalanceOf<T> {
		Self::settle(position, info.reward_per_stake);
		let (synced, factor) = (position.slash_factor_synced, info.slash_factor);
		position.slash_factor_synced = factor;
		if synced == factor {
			return Zero::zero();
		}
		let active = Self::slashed_value(position.active, synced, factor);
		let active_cut = position.active.saturating_sub(active);
		position.active = active;
		let mut unbonding_cut: BalanceOf<T> = Zero::zero();
		for chunk in position.unbonding.iter_mut() {
			let amount = Self::slashed_value(chunk.amount, synced, factor);
			unbonding_cut.saturating_accrue(chunk.amount.saturating_sub(amount));
			chunk.amount = amount;
		}
		if own {
			Self::take_untaken(&mut info.self_bond, &mut info.untaken.own, active_cut);
		} else {
			Self::take_untaken(&mut info.delegated, &mut info.untaken.delegated, active_cut);
		}
		Self::take_untaken(&mut info.unbonding, &mut info.untaken.unbonding, unbonding_cut);
		active_cut.saturating_add(unbonding_cut)
	}

	/// Account a position's `cut` against a total: from its untaken slash first; what exceeds
	/// it (rounding dust) comes off the total.
	fn take_untaken(total: &mut BalanceOf<T>, untaken: &mut BalanceOf<T>, cut: BalanceOf<T>) {
		let covered = cut.min(*untaken);
		untaken.saturating_reduce(covered);
		total.saturating_reduce(cut.saturating_sub(covered));
	}

	/// Slash `cut` from `staker`'s hold for its position with `operator` and hand it to
	/// `OnSlash`. Call after storage is written: the destination may run arbitrary code.
	pub(crate) fn take_slash(operator: &T::AccountId, staker: &T::AccountId, cut: BalanceOf<T>) {
		if cut.is_zero() {
			return;
		}
		let reason = Self::hold_reason(operator, staker);
		let (credit, missing) = T::Currency::slash(&reason.into(), staker, cut);
		if !missing.is_zero() {
			log::error!(
				target: LOG_TARGET,
				"slash of {staker:?} with {operator:?} found {missing:?} less held than staked"
			);
			frame_support::defensive!("held stake below the position");
		}
		T::OnSlash::on_unbalanced(credit);
	}

	/// `staker`'s position with `operator` as it would be after a sync (rewards settled,
	/// slashes applied), without writing anything.
	pub fn synced_position(operator: &T::AccountId, staker: &T::AccountId) -> Option<StakeInfo<T>> {
		let mut info = Operators::<T>::get(operator)?;
		let mut position = Stakes::<T>::get(operator, staker)?;
		Self::sync(&mut info, &mut position, operator == staker);
		Some(position)
	}

	/// The span index of `block`.
	pub fn slash_span(block: BlockNumberFor<T>) -> BlockNumberFor<T> {
		block.checked_div(&T::SlashSpanLength::get()).unwrap_or(block)
	}

	/// Report `offence` by `operator` in `job` (the provider's `report_offence`): schedule
	/// what `fraction × exposure` adds to the largest amount reported in the current span.
	/// Returns the amount scheduled.
	pub(crate) fn do_report_offence(
		operator: &T::AccountId,
		job: JobId,
		offence: Offence,
		fraction: Perbill,
		exposure: BalanceOf<T>,
	) -> BalanceOf<T> {
		let amount = fraction.mul_floor(exposure);
		if amount.is_zero() || !Operators::<T>::contains_key(operator) {
			return Zero::zero();
		}
		let now = Self::now();
		let index = Self::slash_span(now);
		let (largest, new) = match SlashSpans::<T>::get(operator) {
			Some(span) if span.index == index => {
				(span.largest.max(amount), amount.saturating_sub(span.largest))
			}
			_ => (amount, amount),
		};
		let apply_at = now.saturating_add(T::SlashDeferDuration::get().max(One::one()));
		let apply_at = if new.is_zero() {
			apply_at
		} else {
			match Self::schedule_slash(apply_at, operator, job, offence, new) {
				Some(at) => at,
				None => return Zero::zero(),
			}
		};
		SlashSpans::<T>::insert(operator, SlashSpan { index, largest });
		Self::deposit_event(Event::SlashReported {
			operator: operator.clone(),
			job,
			offence,
			amount: new,
			apply_at,
		});
		new
	}

	/// Put `amount` for `operator` on the agenda at `apply_at`, merged with its entry there if
	/// any. Returns the block it went to; `None` (and an error log) if no block nearby had
	/// room, which the `MaxOperators` bound rules out.
	fn schedule_slash(
		apply_at: BlockNumberFor<T>,
		operator: &T::AccountId,
		job: JobId,
		offence: Offence,
		amount: BalanceOf<T>,
	) -> Option<BlockNumberFor<T>> {
		let mut at = apply_at;
		// A block holds one entry per operator reported in the block `at − defer`, and at most
		// `MaxOperators` are registered then; only operators removed and replaced within one
		// block could overflow it. Then the slash moves on to a later block.
		for _ in 0..4u8 {
			let placed = DeferredSlashes::<T>::mutate(at, |due| {
				if let Some(entry) = due.iter_mut().find(|e| &e.operator == operator) {
					entry.amount.saturating_accrue(amount);
					return true;
				}
				due.try_push(DeferredSlash { operator: operator.clone(), job, offence, amount })
					.is_ok()
			});
			if placed {
				return Some(at);
			}
			at.saturating_inc();
		}
		log::error!(target: LOG_TARGET, "no room to defer a slash of {operator:?} for job {job}");
		frame_support::defensive!("the deferred-slash agenda is full");
		None
	}

	/// Cancel the slash of `operator` due at `apply_at` (see [`Pallet::cancel_deferred_slash`]).
	pub(crate) fn do_cancel_deferred_slash(
		origin: OriginFor<T>,
		operator: T::AccountId,
		apply_at: BlockNumberFor<T>,
	) -> DispatchResult {
		T::CancelOrigin::ensure_origin(origin)?;
		let mut due = DeferredSlashes::<T>::get(apply_at);
		let i = due.iter().position(|e| e.operator == operator).ok_or(Error::<T>::SlashNotFound)?;
		let entry = due.remove(i);
		if due.is_empty() {
			DeferredSlashes::<T>::remove(apply_at);
		} else {
			DeferredSlashes::<T>::insert(apply_at, due);
		}
		Self::deposit_event(Event::SlashCancelled {
			operator,
			job: entry.job,
			offence: entry.offence,
			amount: entry.amount,
			apply_at,
		});
		Ok(())
	}

	/// The cost of visiting one block of the slash agenda (reading its entry).
	pub fn slash_agenda_block_weight() -> Weight {
		T::WeightInfo::apply_deferred_slashes(0)
	}

	/// The cost of applying one deferred slash: the slope of `apply_deferred_slashes`.
	pub fn apply_slash_weight() -> Weight {
		T::WeightInfo::apply_deferred_slashes(1)
			.saturating_sub(T::WeightInfo::apply_deferred_slashes(0))
	}

	/// Apply the slashes due by `now`, from the cursor on, as far as `meter` allows.
	pub(crate) fn service_slash_agenda(now: BlockNumberFor<T>, meter: &mut WeightMeter) {
		let mut block = SlashAgendaCursor::<T>::get().unwrap_or(now).min(now);
		while block <= now {
			if meter.try_consume(Self::slash_agenda_block_weight()).is_err() {
				SlashAgendaCursor::<T>::put(block);
				return;
			}
			let due = DeferredSlashes::<T>::take(block);
			let mut applied = 0usize;
			for entry in due.iter() {
				if meter.try_consume(Self::apply_slash_weight()).is_err() {
					break;
				}
				Self::apply_slash(entry);
				applied.saturating_inc();
			}
			if applied < due.len() {
				let rest =
					DeferredSlashesOf::<T>::truncate_from(due.into_iter().skip(applied).collect());
				log::debug!(
					target: LOG_TARGET,
					"slashes of block {block:?} not done, {} left for the next block",
					rest.len()
				);
				DeferredSlashes::<T>::insert(block, rest);
				SlashAgendaCursor::<T>::put(block);
				return;
			}
			block.saturating_inc();
		}
		if SlashAgendaCursor::<T>::exists() {
			SlashAgendaCursor::<T>::kill();
		}
	}

	/// Apply one deferred slash: scale the operator's factor and totals, O(1). Returns the
	/// amount taken off the totals.
	pub(crate) fn apply_slash(entry: &DeferredSlash<T>) -> BalanceOf<T> {
		let operator = &entry.operator;
		let Some(mut info) = Operators::<T>::get(operator) else {
			log::info!(target: LOG_TARGET, "slash of {operator:?}: the operator is gone");
			return Zero::zero();
		};
		let total = info.total_stake();
		let amount = entry.amount.min(total);
		let factor = info.slash_factor;
		let (own, delegated, unbonding) = if amount.is_zero() || factor == 0 {
			(Zero::zero(), Zero::zero(), Zero::zero())
		} else {
			let total_u: u128 = total.unique_saturated_into();
			let left_u: u128 = total.saturating_sub(amount).unique_saturated_into();
			let mut new_factor = scale(factor, left_u, total_u, Rounding::Down).min(factor);
			if new_factor < MIN_SLASH_FACTOR {
				new_factor = 0;
			}
			info.slash_factor = new_factor;
			let cut = |value: &mut BalanceOf<T>, untaken: &mut BalanceOf<T>| {
				let new = if new_factor == 0 {
					Zero::zero()
				} else {
					scale(*value, new_factor, factor, Rounding::Up).min(*value)
				};
				let taken = value.saturating_sub(new);
				*value = new;
				untaken.saturating_accrue(taken);
				taken
			};
			(
				cut(&mut info.self_bond, &mut info.untaken.own),
				cut(&mut info.delegated, &mut info.untaken.delegated),
				cut(&mut info.unbonding, &mut info.untaken.unbonding),
			)
		};
		let slashed = own.saturating_add(delegated).saturating_add(unbonding);
		Operators::<T>::insert(operator, info);
		Self::deposit_event(Event::Slashed {
			operator: operator.clone(),
			job: entry.job,
			offence: entry.offence,
			amount: slashed,
			own,
			delegated,
			unbonding,
		});
		slashed
	}
}
