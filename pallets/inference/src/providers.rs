//! A stand-in operator provider for runtimes without the operator staking pallet yet.

use alloc::vec::Vec;
use core::marker::PhantomData;
use frame_support::{
	traits::{
		fungible::Mutate,
		tokens::{Fortitude, Precision, Preservation},
		Get,
	},
	BoundedVec,
};
use sp_runtime::{DispatchError, Perbill};
use verity_primitives::{operators::OperatorProvider, JobId, ModelId};

/// Every account in `Operators` serves every model with its *free balance* as stake; rewards
/// are plain transfers (no commission, no delegators) and slashes burn free balance.
///
/// For devnets only: the stake is not held, so an operator can move it away at any time and
/// nothing is left to slash. Replace with the operator staking pallet.
pub struct FreeBalanceOperators<AccountId, Currency, Operators, Max>(
	PhantomData<(AccountId, Currency, Operators, Max)>,
);

impl<AccountId, Currency, Operators, Max> OperatorProvider<AccountId, Currency::Balance>
	for FreeBalanceOperators<AccountId, Currency, Operators, Max>
where
	AccountId: Clone + Eq,
	Currency: Mutate<AccountId>,
	Operators: Get<Vec<AccountId>>,
	Max: Get<u32>,
{
	type MaxServing = Max;

	fn operators_serving(_model: &ModelId) -> BoundedVec<(AccountId, Currency::Balance), Max> {
		BoundedVec::truncate_from(
			Operators::get()
				.into_iter()
				.map(|who| {
					let stake = Currency::balance(&who);
					(who, stake)
				})
				.collect(),
		)
	}

	fn stake_of(operator: &AccountId) -> Currency::Balance {
		if Operators::get().contains(operator) {
			Currency::balance(operator)
		} else {
			Default::default()
		}
	}

	fn reward(
		operator: &AccountId,
		amount: Currency::Balance,
		from: &AccountId,
	) -> Result<Currency::Balance, DispatchError> {
		Currency::transfer(from, operator, amount, Preservation::Expendable)
	}

	fn slash(operator: &AccountId, fraction: Perbill, _job: JobId) -> Currency::Balance {
		let due = fraction.mul_floor(Self::stake_of(operator));
		Currency::burn_from(
			operator,
			due,
			Preservation::Preserve,
			Precision::BestEffort,
			Fortitude::Force,
		)
		.unwrap_or_default()
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn set_up_operator(_operator: &AccountId, _model: &ModelId, _stake: Currency::Balance) {
		// Benchmark the runtime with the operator staking pallet, not with this stand-in.
	}
}
