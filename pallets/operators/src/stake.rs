//! The ledger: registering operators, bonding, delegating, unbonding and withdrawing.
//!
//! Every function checks first and writes last: it loads the operator and the position, syncs
//! the position in memory (settles its rewards and applies the slashes since it last synced,
//! see `slashing.rs`), validates against the synced stake, changes the hold, writes storage and
//! emits, and finally takes the synced slash from the hold ([`Pallet::take_slash`]).

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
		let evictions = Self::ensure_models_fit(self_bond, &[], &models)?;
		T::Currency::hold(&HoldReason::OperatorBond.into(), who, self_bond)
			.map_err(|_| Error::<T>::InsufficientBalance)?;

		Self::index_models(who, &models, evictions);
		let mut own = StakeInfo::<T>::new(0, SLASH_FACTOR_ONE);
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
				slash_factor: SLASH_FACTOR_ONE,
				untaken: Default::default(),
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
		ensure!(info.slash_factor != 0, Error::<T>::SlashedOut);
		let mut own = Stakes::<T>::get(who, who).ok_or(Error::<T>::NotStaker)?;
		let cut = Self::sync(&mut info, &mut own, true);
		T::Currency::hold(&HoldReason::OperatorBond.into(), who, amount)
			.map_err(|_| Error::<T>::InsufficientBalance)?;

		own.active.saturating_accrue(amount);
		info.self_bond.saturating_accrue(amount);
		Self::auto_claim(who, who, &mut own);
		Stakes::<T>::insert(who, who, own);
		Operators::<T>::insert(who, info);
		Self::deposit_event(Event::Bonded { operator: who.clone(), amount });
		Self::take_slash(who, who, cut);
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
		let own = operator == staker;
		let cut = Self::sync(&mut info, &mut position, own);
		let remaining =
			position.active.checked_sub(&amount).ok_or(Error::<T>::InsufficientStake)?;
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
		Self::take_slash(operator, staker, cut);
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
		let stake = if Self::is_eligible(&info) { info.stake_at_risk() } else { Zero::zero() };
		let evictions = Self::ensure_models_fit(stake, &info.models, &models)?;
		Self::unindex_models(who, &info.models);
		// Evictions only touch other operators' records: the caller is in no index it joins.
		Self::index_models(who, &models, evictions);
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
		let mut own = Stakes::<T>::get(who, who).ok_or(Error::<T>::NotStaker)?;
		let cut = Self::sync(&mut info, &mut own, true);
		let unbonding = own.active;
		let unlock_at = Self::now().saturating_add(T::UnbondingPeriod::get());
		if !unbonding.is_zero() {
			Self::push_chunk(&mut own, unbonding, unlock_at, None)?;
		}

		Self::unindex_models(who, &info.models);
		info.status = OperatorStatus::Leaving;
		info.pending_commission = None;
		own.active = Zero::zero();
		info.self_bond.saturating_reduce(unbonding);
		info.unbonding.saturating_accrue(unbonding);
		Self::auto_claim(who, who, &mut own);
		Self::deposit_event(Event::Deregistered { operator: who.clone(), unbonding, unlock_at });
		// An operator with nothing left at all goes at once.
		Self::store_position(who, who, &mut info, own);
		Self::store_operator(who, info);
		Self::take_slash(who, who, cut);
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
		let (mut info, mut position, is_new, cut) =
			Self::open_delegation(delegator, operator, amount)?;
		T::Currency::hold(&HoldReason::Delegation.into(), delegator, amount)
			.map_err(|_| Error::<T>::InsufficientBalance)?;

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
		Self::take_slash(operator, delegator, cut);
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
		let cut = Self::sync(&mut info, &mut position, operator == staker);
		let now = Self::now();
		let (unlocked, locked): (Vec<_>, Vec<_>) =
			core::mem::take(&mut position.unbonding).into_iter().partition(|c| c.unlock_at <= now);
		position.unbonding = UnbondingOf::<T>::truncate_from(locked);
		// A position a full slash emptied may be withdrawn (removed) with nothing unlocked.
		ensure!(
			!unlocked.is_empty() || (!cut.is_zero() && position.is_empty()),
			Error::<T>::NothingToWithdraw
		);

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
		Self::take_slash(operator, staker, cut);
		Ok(())
	}

	/// Pay `staker`'s rewards with `operator` (see [`Pallet::claim`]).
	pub(crate) fn do_claim(staker: &T::AccountId, operator: &T::AccountId) -> DispatchResult {
		let mut info = Operators::<T>::get(operator).ok_or(Error::<T>::NotOperator)?;
		let mut position = Stakes::<T>::get(operator, staker).ok_or(Error::<T>::NotStaker)?;
		let cut = Self::sync(&mut info, &mut position, operator == staker);
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
		Self::take_slash(operator, staker, cut);
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
		let (mut info, mut position, is_new, cut) =
			Self::open_delegation(delegator, operator, amount)?;
		position.active.saturating_accrue(amount);
		info.delegated.saturating_accrue(amount);
		if is_new {
			info.delegators.saturating_inc();
		}
		Stakes::<T>::insert(operator, delegator, position);
		Operators::<T>::insert(operator, info);
		Self::take_slash(operator, delegator, cut);
		Ok(())
	}

	/// The operator, its position for `delegator` (new if none, synced in memory otherwise),
	/// whether it is new and the slash its sync takes, if `operator` can take `amount` more
	/// from `delegator`.
	fn open_delegation(
		delegator: &T::AccountId,
		operator: &T::AccountId,
		amount: BalanceOf<T>,
	) -> Result<(OperatorInfo<T>, StakeInfo<T>, bool, BalanceOf<T>), DispatchError> {
		let mut info = Operators::<T>::get(operator).ok_or(Error::<T>::NotOperator)?;
		ensure!(info.status != OperatorStatus::Leaving, Error::<T>::OperatorLeaving);
		ensure!(info.slash_factor != 0, Error::<T>::SlashedOut);
		let existing = Stakes::<T>::get(operator, delegator);
		let is_new = existing.is_none();
		if is_new {
			ensure!(
				info.delegators < T::MaxDelegatorsPerOperator::get(),
				Error::<T>::TooManyDelegators
			);
		}
		let (position, cut) = match existing {
			Some(mut position) => {
				let cut = Self::sync(&mut info, &mut position, false);
				(position, cut)
			}
			None => (StakeInfo::new(info.reward_per_stake, info.slash_factor), Zero::zero()),
		};
		ensure!(
			position.active.saturating_add(amount) >= T::MinDelegation::get(),
			Error::<T>::DelegationTooLow
		);
		Ok((info, position, is_new, cut))
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
			SlashSpans::<T>::remove(operator);
			Self::deposit_event(Event::OperatorRemoved { operator: operator.clone() });
		} else {
			Operators::<T>::insert(operator, info);
		}
	}

	/// Check that an operator with stake at risk `stake` may replace the models `old` with
	/// `new`: no duplicate, and room in every newly declared model's index, made if need be by
	/// evicting the declared operator with the least stake at risk (an ineligible operator
	/// counting as zero; the earliest declared among equals) when `stake` is larger. Returns
	/// the evictions to make, `(model, operator)`.
	fn ensure_models_fit(
		stake: BalanceOf<T>,
		old: &[ModelId],
		new: &[ModelId],
	) -> Result<Vec<(ModelId, T::AccountId)>, DispatchError> {
		let mut evictions = Vec::new();
		for (i, model) in new.iter().enumerate() {
			ensure!(!new.iter().take(i).any(|m| m == model), Error::<T>::DuplicateModel);
			if old.contains(model) {
				continue;
			}
			let serving = ModelOperators::<T>::get(model);
			if serving.len() < T::MaxOperatorsPerModel::get() as usize {
				continue;
			}
			let weakest = serving
				.iter()
				.map(|who| {
					let at_risk = Operators::<T>::get(who)
						.filter(|info| Self::is_eligible(info))
						.map_or_else(Zero::zero, |info| info.stake_at_risk());
					(who, at_risk)
				})
				.min_by_key(|(_, at_risk)| *at_risk);
			match weakest {
				Some((victim, at_risk)) if stake > at_risk => {
					evictions.push((*model, victim.clone()))
				}
				_ => return Err(Error::<T>::ModelFull.into()),
			}
		}
		Ok(evictions)
	}

	/// Make the `evictions` (see [`Self::ensure_models_fit`]), then add `who` to the index of
	/// every model in `models` (room made or checked beforehand).
	fn index_models(
		who: &T::AccountId,
		models: &[ModelId],
		evictions: Vec<(ModelId, T::AccountId)>,
	) {
		for (model, victim) in evictions {
			ModelOperators::<T>::mutate(model, |operators| operators.retain(|o| o != &victim));
			Operators::<T>::mutate(&victim, |maybe| {
				if let Some(info) = maybe {
					info.models.retain(|m| m != &model);
				}
			});
			Self::deposit_event(Event::EvictedFromModel {
				operator: victim,
				model,
				by: who.clone(),
			});
		}
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
