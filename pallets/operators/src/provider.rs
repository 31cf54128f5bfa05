//! The operator provider the inference pallet uses.

use crate::*;
use verity_primitives::{
	operators::{Offence, OperatorProvider},
	JobId,
};

impl<T: Config> OperatorProvider<T::AccountId, BalanceOf<T>> for Pallet<T> {
	type MaxServing = T::MaxOperatorsPerModel;

	/// The eligible operators (active, self-bond at least `MinSelfBond`) that declared `model`,
	/// with their stake at risk (own bond plus active delegations; unbonding stake, which could
	/// leave before the job's slash lands, excluded), in declaration order.
	fn operators_serving(
		model: &ModelId,
	) -> BoundedVec<(T::AccountId, BalanceOf<T>), Self::MaxServing> {
		let serving: Vec<_> = ModelOperators::<T>::get(model)
			.into_iter()
			.filter_map(|who| {
				Operators::<T>::get(&who)
					.filter(|info| Self::is_eligible(info))
					.map(|info| (who, info.stake_at_risk()))
			})
			.collect();
		BoundedVec::truncate_from(serving)
	}

	/// The stake at risk: own bond plus active delegations, unbonding excluded.
	fn stake_of(operator: &T::AccountId) -> BalanceOf<T> {
		Operators::<T>::get(operator).map_or_else(Zero::zero, |info| info.stake_at_risk())
	}

	fn reward(
		operator: &T::AccountId,
		amount: BalanceOf<T>,
		from: &T::AccountId,
	) -> Result<BalanceOf<T>, DispatchError> {
		Self::do_reward(operator, amount, from)
	}

	/// Deferred by `SlashDeferDuration`, deduplicated per slashing span (see `slashing.rs`).
	/// Slashed funds go to `OnSlash` (burnt or to a treasury, as the runtime configures) as
	/// the positions sync.
	fn report_offence(
		operator: &T::AccountId,
		job: JobId,
		offence: Offence,
		fraction: Perbill,
		exposure: BalanceOf<T>,
	) -> BalanceOf<T> {
		Self::do_report_offence(operator, job, offence, fraction, exposure)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn set_up_operator(operator: &T::AccountId, model: &ModelId, stake: BalanceOf<T>) {
		if let Err(e) = Self::set_up_operator_for_benchmark(operator, model, stake) {
			log::error!(target: LOG_TARGET, "cannot set up operator {operator:?}: {e:?}");
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Register (or top up) `operator` serving `model` with `stake` of own bond, minting what
	/// it needs. For benchmarks of this and dependent pallets.
	#[cfg(feature = "runtime-benchmarks")]
	pub fn set_up_operator_for_benchmark(
		operator: &T::AccountId,
		model: &ModelId,
		stake: BalanceOf<T>,
	) -> DispatchResult {
		use frame_support::traits::fungible::{Inspect, Mutate};
		let bond = stake.max(T::MinSelfBond::get());
		T::Currency::mint_into(operator, bond.saturating_add(T::Currency::minimum_balance()))?;
		Self::ensure_pot_exists();
		match Operators::<T>::get(operator) {
			None => {
				let models = ModelsOf::<T>::truncate_from(alloc::vec![*model]);
				Self::do_register(operator, bond, Perbill::zero(), models)
			}
			Some(info) => {
				if !info.models.contains(model) {
					let mut models = info.models.clone();
					models.try_push(*model).map_err(|_| Error::<T>::ModelFull)?;
					Self::do_set_models(operator, models)?;
				}
				let missing = bond.saturating_sub(info.self_bond);
				if !missing.is_zero() {
					Self::do_bond_more(operator, missing)?;
				}
				Ok(())
			}
		}
	}

	/// Give `operator` up to `count` more delegators (as many as `MaxDelegatorsPerOperator`
	/// allows), each delegating `MinDelegation` from a fresh minted account. For benchmarks.
	#[cfg(feature = "runtime-benchmarks")]
	pub fn set_up_delegators_for_benchmark(operator: &T::AccountId, count: u32) -> DispatchResult {
		use frame_support::traits::fungible::{Inspect, Mutate};
		let amount = T::MinDelegation::get();
		let existing = Operators::<T>::get(operator).ok_or(Error::<T>::NotOperator)?.delegators;
		let room = T::MaxDelegatorsPerOperator::get().saturating_sub(existing);
		for i in 0..count.min(room) {
			// Fresh accounts each call: a reused one would top up instead of joining.
			let delegator: T::AccountId =
				frame_benchmarking::account("verity-delegator", existing.saturating_add(i), 0x5eed);
			T::Currency::mint_into(
				&delegator,
				amount.saturating_add(T::Currency::minimum_balance()),
			)?;
			Self::do_delegate(&delegator, operator, amount)?;
		}
		Ok(())
	}
}
