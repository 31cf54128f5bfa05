//! The ledger: registering operators, bonding, delegating, unbonding and withdrawing.
//!
//! Every function checks first and writes last: it loads the operator and the position,
//! validates, settles the position's rewards, changes the hold, then writes storage and emits.

use crate::*;
use frame_support::traits::tokens::Precision;

impl<T: Config> Pallet<T> {
	/// Register `who` as an operator (see [`Pallet::register`]).
	pub(crate) fn do_register(
		who: &T::AccountId,
		self_bond: BalanceOf<T>,
		commission: Perbill,
		models: ModelsOf<T>,
	) -> DispatchResult {
		ensure!(!Operators::<T>::contains_key(who), Error::<T>::AlreadyRegistered);
		ensure!(self_bond >= T::MinSelfBond::get(), Error::<T>::BondTooLow);
		ensure!(commission <= T::MaxCommission::get(), Error::<T>::CommissionTooHigh);
		ensure!(Operators::<T>::count() < T::MaxOperators::get(), Error::<T>::TooManyOperators);
		Self::ensure_models_fit(&[], &models)?;
		T::Currency::hold(&HoldReason::OperatorBond.into(), who, self_bond)
			.map_err(|_| Error::<T>::InsufficientBalance)?;

		Self::index_models(who, &models);
		let mut own = StakeInfo::<T>::new(0);
		own.active = self_bond;
		Stakes::<T>::insert(who, who, own);
		Operators::<T>::insert(
			who,
			OperatorInfo::<T> {
				status: OperatorStatus::Active,
				commission,
				pending_commission: None,
				models: models.clone(),
				self_bond,
				delegated: Zero::zero(),
				unbonding: Zero::zero(),
				delegators: 0,
				reward_per_stake: 0,
				registered_at: Self::now(),
			},
		);
		Self::deposit_event(Event::OperatorRegistered {
			operator: who.clone(),
			self_bond,
			commission,
			models,
		});
		Ok(())
	}

	/// Add to an operator's own bond (see [`Pallet::bond_more`]).
	pub(crate) fn do_bond_more(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		let mut info = Self::configurable_operator(who)?;
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut own = Stakes::<T>::get(who, who).ok_or(Error::<T>::NotStaker)?;
		T::Currency::hold(&HoldReason::OperatorBond.into(), who, amount)
			.map_err(|_| Error::<T>::InsufficientBalance)?;

		Self::settle(&mut own, info.reward_per_stake);
		own.active.saturating_accrue(amount);
		info.self_bond.saturating_accrue(amount);
		Self::auto_claim(who, who, &mut own);
		Stakes::<T>::insert(who, who, own);
		Operators::<T>::insert(who, info);
		Self::deposit_event(Event::Bonded { operator: who.clone(), amount });
		Ok(())
	}

	/// Start unbonding part of an operator's own bond (see [`Pallet::unbond`]).
	pub(crate) fn do_unbond_own(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		Self::configurable_operator(who)?;
		let unlock_at = Self::do_unbond(who, who, amount, None)?;
		Self::deposit_event(Event::Unbonded { operator: who.clone(), amount, unlock_at });
		Ok(())
	}

	/// Move `amount` of `staker`'s active stake with `operator` to its unbonding queue,
	/// tagged with a redelegation target if any. Returns the unlock block.
	///
	/// The operator's own bond may not drop below `MinSelfBond` (unless it is leaving); a
	/// delegation may not keep a non-zero remainder below `MinDelegation`.
	pub(crate) fn do_unbond(
		operator: &T::AccountId,
		staker: &T::AccountId,
		amount: BalanceOf<T>,
		redelegate_to: Option<T::AccountId>,
	) -> Result<BlockNumberFor<T>, DispatchError> {
		let mut info = Operators::<T>::get(operator).ok_or(Error::<T>::NotOperator)?;
		let mut position = Stakes::<T>::get(operator, staker).ok_or(Error::<T>::NotStaker)?;
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let remaining =
			position.active.checked_sub(&amount).ok_or(Error::<T>::InsufficientStake)?;
		let own = operator == staker;
		if own {
			ensure!(
				info.status == OperatorStatus::Leaving || remaining >= T::MinSelfBond::get(),
				Error::<T>::BondTooLow
			);
		} else {
			ensure!(
				remaining.is_zero() || remaining >= T::MinDelegation::get(),
				Error::<T>::DelegationTooLow
			);
		}
		let unlock_at = Self::now().saturating_add(T::UnbondingPeriod::get());
		Self::push_chunk(&mut position, amount, unlock_at, redelegate_to)?;

		Self::settle(&mut position, info.reward_per_stake);
		position.active = remaining;
		if own {
			info.self_bond.saturating_reduce(amount);
		} else {
			info.delegated.saturating_reduce(amount);
		}
		info.unbonding.saturating_accrue(amount);
		Self::auto_claim(operator, staker, &mut position);
		Stakes::<T>::insert(operator, staker, position);
		Operators::<T>::insert(operator, info);
		Ok(unlock_at)
	}

	/// Set an operator's commission (see [`Pallet::set_commission`]).
	pub(crate) fn do_set_commission(who: &T::AccountId, commission: Perbill) -> DispatchResult {
		let mut info = Self::configurable_operator(who)?;
		ensure!(commission <= T::MaxCommission::get(), Error::<T>::CommissionTooHigh);
		let now = Self::now();
		info.apply_pending_commission(now);
		if commission <= info.commission {
			info.commission = commission;
			info.pending_commission = None;
			Operators::<T>::insert(who, info);
			Self::deposit_event(Event::CommissionChanged { operator: who.clone(), commission });
		} else {
			let effective_at = now.saturating_add(T::CommissionChangeDelay::get());
			info.pending_commission = Some(CommissionChange { commission, effective_at });
			Operators::<T>::insert(who, info);
			Self::deposit_event(Event::CommissionChangeScheduled {
				operator: who.clone(),
				commission,
				effective_at,
			});
		}
		Ok(())
	}

	/// Replace an operator's models (see [`Pallet::set_models`]).
	pub(crate) fn do_set_models(who: &T::AccountId, models: ModelsOf<T>) -> DispatchResult {
		let mut info = Self::configurable_operator(who)?;
		Self::ensure_models_fit(&info.models, &models)?;
		Self::unindex_models(who, &info.models);
		Self::index_models(who, &models);
		info.models = models.clone();
		Operators::<T>::insert(who, info);
		Self::deposit_event(Event::ModelsSet { operator: who.clone(), models });
		Ok(())
	}

	/// Move an operator from status `from` to `to` (chill / resume).
	pub(crate) fn do_set_status(
		who: &T::AccountId,
		from: OperatorStatus,
		to: OperatorStatus,
	) -> DispatchResult {
		let mut info = Self::configurable_operator(who)?;
		if info.status != from {
			return Err(match to {
				OperatorStatus::Chilled => Error::<T>::AlreadyChilled,
				_ => Error::<T>::NotChilled,
			}
			.into());
		}
		if to == OperatorStatus::Active {
			ensure!(info.self_bond >= T::MinSelfBond::get(), Error::<T>::BondTooLow);
		}
		info.status = to;
		Operators::<T>::insert(who, info);
		let operator = who.clone();
		Self::deposit_event(match to {
			OperatorStatus::Active => Event::Resumed { operator },
			_ => Event::Chilled { operator },
		});
		Ok(())
	}

	/// Deregister an operator (see [`Pallet::deregister`]).
	pub(crate) fn do_deregister(who: &T::AccountId) -> DispatchResult {
		let mut info = Self::configurable_operator(who)?;
		let unbonding = info.self_bond;
		let unlock_at = Self::now().saturating_add(T::UnbondingPeriod::get());
		// Check the unbonding queue has room before changing anything.
		if !unbonding.is_zero() {
			let own = Stakes::<T>::get(who, who).ok_or(Error::<T>::NotStaker)?;
			let mergeable = own
				.unbonding
				.last()
				.is_some_and(|c| c.unlock_at == unlock_at && c.redelegate_to.is_none());
			ensure!(
				mergeable || own.unbonding.len() < T::MaxUnbondingChunks::get() as usize,
				Error::<T>::TooManyUnbondingChunks
			);
		}

		Self::unindex_models(who, &info.models);
		info.status = OperatorStatus::Leaving;
		info.pending_commission = None;
		Operators::<T>::insert(who, info);
		if !unbonding.is_zero() {
			Self::do_unbond(who, who, unbonding, None)?;
		}
		Self::deposit_event(Event::Deregistered { operator: who.clone(), unbonding, unlock_at });
		// An operator with nothing left at all goes at once.
		if let (Some(mut info), Some(own)) = (Operators::<T>::get(who), Stakes::<T>::get(who, who))
		{
			Self::store_position(who, who, &mut info, own);
			Self::store_operator(who, info);
		}
		Ok(())
	}

	/// Delegate `amount` from `delegator` to `operator` (see [`Pallet::delegate`]).
	pub(crate) fn do_delegate(
		delegator: &T::AccountId,
		operator: &T::AccountId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(delegator != operator, Error::<T>::SelfDelegation);
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let (mut info, mut position, is_new) = Self::open_delegation(delegator, operator, amount)?;
		T::Currency::hold(&HoldReason::Delegation.into(), delegator, amount)
			.map_err(|_| Error::<T>::InsufficientBalance)?;

		Self::settle(&mut position, info.reward_per_stake);
		position.active.saturating_accrue(amount);
		info.delegated.saturating_accrue(amount);
		if is_new {
			info.delegators.saturating_inc();
		}
		Self::auto_claim(operator, delegator, &mut position);
		Stakes::<T>::insert(operator, delegator, position);
		Operators::<T>::insert(operator, info);
		Self::deposit_event(Event::Delegated {
			delegator: delegator.clone(),
			operator: operator.clone(),
			amount,
		});
		Ok(())
	}

	/// Schedule a redelegation (see [`Pallet::redelegate`]).
	pub(crate) fn do_redelegate(
		delegator: &T::AccountId,
		from: &T::AccountId,
		to: &T::AccountId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(delegator != from && delegator != to, Error::<T>::SelfDelegation);
		ensure!(from != to, Error::<T>::SameOperator);
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		// The target must be able to take the stake now; it is checked again on arrival.
		Self::open_delegation(delegator, to, amount)?;
		let unlock_at = Self::do_unbond(from, delegator, amount, Some(to.clone()))?;
		Self::deposit_event(Event::RedelegationScheduled {
			delegator: delegator.clone(),
			from: from.clone(),
			to: to.clone(),
			amount,
			unlock_at,
		});
		Ok(())
	}

	/// Complete `staker`'s unlocked chunks with `operator` (see
	/// [`Pallet::withdraw_unbonded`]).
	pub(crate) fn do_withdraw_unbonded(
		staker: &T::AccountId,
		operator: &T::AccountId,
	) -> DispatchResult {
		let mut info = Operators::<T>::get(operator).ok_or(Error::<T>::NotOperator)?;
		let mut position = Stakes::<T>::get(operator, staker).ok_or(Error::<T>::NotStaker)?;
		let now = Self::now();
		let (unlocked, locked): (Vec<_>, Vec<_>) =
			core::mem::take(&mut position.unbonding).into_iter().partition(|c| c.unlock_at <= now);
		ensure!(!unlocked.is_empty(), Error::<T>::NothingToWithdraw);
		position.unbonding = UnbondingOf::<T>::truncate_from(locked);

		Self::settle(&mut position, info.reward_per_stake);
		let mut released: BalanceOf<T> = Zero::zero();
		for chunk in unlocked {
			info.unbonding.saturating_reduce(chunk.amount);
			if chunk.amount.is_zero() {
				continue;
			}
			let moved = chunk.redelegate_to.as_ref().is_some_and(|to| {
				match Self::arrive(staker, to, chunk.amount) {
					Ok(()) => {
						Self::deposit_event(Event::Redelegated {
							delegator: staker.clone(),
							from: operator.clone(),
							to: to.clone(),
							amount: chunk.amount,
						});
						true
					}
					Err(e) => {
						log::info!(
							target: LOG_TARGET,
							"redelegation of {:?} to {to:?} released instead: {e:?}",
							chunk.amount
						);
						false
					}
				}
			});
			if !moved {
				released.saturating_accrue(chunk.amount);
			}
		}
		if !released.is_zero() {
			let reason = Self::hold_reason(operator, staker);
			T::Currency::release(&reason.into(), staker, released, Precision::Exact)?;
			Self::deposit_event(Event::Withdrawn {
				staker: staker.clone(),
				operator: operator.clone(),
				amount: released,
			});
		}
		Self::auto_claim(operator, staker, &mut position);
		Self::store_position(operator, staker, &mut info, position);
		Self::store_operator(operator, info);
		Ok(())
	}

	/// Pay `staker`'s rewards with `operator` (see [`Pallet::claim`]).
	pub(crate) fn do_claim(staker: &T::AccountId, operator: &T::AccountId) -> DispatchResult {
		let mut info = Operators::<T>::get(operator).ok_or(Error::<T>::NotOperator)?;
		let mut position = Stakes::<T>::get(operator, staker).ok_or(Error::<T>::NotStaker)?;
		Self::settle(&mut position, info.reward_per_stake);
		let amount = position.unclaimed;
		ensure!(!amount.is_zero(), Error::<T>::NothingToClaim);
		Self::pay_reward(staker, amount)?;
		position.unclaimed = Zero::zero();
		Self::deposit_event(Event::RewardsClaimed {
			staker: staker.clone(),
			operator: operator.clone(),
			amount,
		});
		Self::store_position(operator, staker, &mut info, position);
		Self::store_operator(operator, info);
		Ok(())
	}

	/// Stake arriving at `operator` from a completed redelegation: no hold changes (it is a
	/// delegation before and after).
	fn arrive(
		delegator: &T::AccountId,
		operator: &T::AccountId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(delegator != operator, Error::<T>::SelfDelegation);
		let (mut info, mut position, is_new) = Self::open_delegation(delegator, operator, amount)?;
		Self::settle(&mut position, info.reward_per_stake);
		position.active.saturating_accrue(amount);
		info.delegated.saturating_accrue(amount);
		if is_new {
			info.delegators.saturating_inc();
		}
		Stakes::<T>::insert(operator, delegator, position);
		Operators::<T>::insert(operator, info);
		Ok(())
	}

	/// The operator, its position for `delegator` (new if none) and whether it is new, if
	/// `operator` can take `amount` more from `delegator`.
	fn open_delegation(
		delegator: &T::AccountId,
		operator: &T::AccountId,
		amount: BalanceOf<T>,
	) -> Result<(OperatorInfo<T>, StakeInfo<T>, bool), DispatchError> {
		let info = Operators::<T>::get(operator).ok_or(Error::<T>::NotOperator)?;
		ensure!(info.status != OperatorStatus::Leaving, Error::<T>::OperatorLeaving);
		let existing = Stakes::<T>::get(operator, delegator);
		let is_new = existing.is_none();
		if is_new {
			ensure!(
				info.delegators < T::MaxDelegatorsPerOperator::get(),
				Error::<T>::TooManyDelegators
			);
		}
		let position = existing.unwrap_or_else(|| StakeInfo::new(info.reward_per_stake));
		ensure!(
			position.active.saturating_add(amount) >= T::MinDelegation::get(),
			Error::<T>::DelegationTooLow
		);
		Ok((info, position, is_new))
	}

	/// The operator `who`, if it may still change its bond and configuration.
	fn configurable_operator(who: &T::AccountId) -> Result<OperatorInfo<T>, DispatchError> {
		let info = Operators::<T>::get(who).ok_or(Error::<T>::NotOperator)?;
		ensure!(info.status != OperatorStatus::Leaving, Error::<T>::OperatorLeaving);
		Ok(info)
	}

	/// Append an unbonding chunk, merging it into the last one when it unlocks in the same
	/// block for the same destination.
	fn push_chunk(
		position: &mut StakeInfo<T>,
		amount: BalanceOf<T>,
		unlock_at: BlockNumberFor<T>,
		redelegate_to: Option<T::AccountId>,
	) -> DispatchResult {
		if let Some(last) = position.unbonding.last_mut() {
			if last.unlock_at == unlock_at && last.redelegate_to == redelegate_to {
				last.amount.saturating_accrue(amount);
				return Ok(());
			}
		}
		position
			.unbonding
			.try_push(UnbondingChunk { amount, unlock_at, redelegate_to })
			.map_err(|_| Error::<T>::TooManyUnbondingChunks.into())
	}

	/// Write a position back, or remove it when nothing is left in it (a delegation, or the
	/// own bond of a leaving operator), updating the operator's delegator count.
	pub(crate) fn store_position(
		operator: &T::AccountId,
		staker: &T::AccountId,
		info: &mut OperatorInfo<T>,
		position: StakeInfo<T>,
	) {
		let own = operator == staker;
		let removable = !own || info.status == OperatorStatus::Leaving;
		if removable && position.is_empty() {
			Stakes::<T>::remove(operator, staker);
			if !own {
				info.delegators.saturating_dec();
			}
		} else {
			Stakes::<T>::insert(operator, staker, position);
		}
	}

	/// Write an operator back, or remove it when it is leaving and its last position is gone.
	pub(crate) fn store_operator(operator: &T::AccountId, info: OperatorInfo<T>) {
		let gone = info.status == OperatorStatus::Leaving
			&& info.delegators == 0
			&& !Stakes::<T>::contains_key(operator, operator);
		if gone {
			Operators::<T>::remove(operator);
			Self::deposit_event(Event::OperatorRemoved { operator: operator.clone() });
		} else {
			Operators::<T>::insert(operator, info);
		}
	}

	/// Check that an operator may replace the models `old` with `new`: no duplicate, room in every
	/// newly declared model's index.
	fn ensure_models_fit(old: &[ModelId], new: &[ModelId]) -> DispatchResult {
		for (i, model) in new.iter().enumerate() {
			ensure!(!new.iter().take(i).any(|m| m == model), Error::<T>::DuplicateModel);
			if old.contains(model) {
				continue;
			}
			let serving = ModelOperators::<T>::decode_len(model).unwrap_or(0);
			ensure!(serving < T::MaxOperatorsPerModel::get() as usize, Error::<T>::ModelFull);
		}
		Ok(())
	}

	/// Add `who` to the index of every model in `models` (room checked beforehand).
	fn index_models(who: &T::AccountId, models: &[ModelId]) {
		for model in models {
			ModelOperators::<T>::mutate(model, |operators| {
				if !operators.contains(who) && operators.try_push(who.clone()).is_err() {
					frame_support::defensive!("model index full after checking it had room");
				}
			});
		}
	}

	/// Remove `who` from the index of every model in `models`.
	fn unindex_models(who: &T::AccountId, models: &[ModelId]) {
		for model in models {
			ModelOperators::<T>::mutate_exists(model, |maybe| {
				if let Some(operators) = maybe {
					operators.retain(|o| o != who);
					if operators.is_empty() {
						*maybe = None;
					}
				}
			});
		}
	}
}
