//! The operator provider: who serves which model, with how much stake, and how they are paid
//! and slashed.
//!
//! The inference pallet depends on this trait only. The operator staking pallet implements it
//! (bonds, delegations, commission, a reward-per-share accumulator, slashing of held stake);
//! until it lands a runtime may plug in any simple implementation, and tests use a mock.

use crate::{JobId, ModelId};
use sp_core::Get;
use sp_runtime::{BoundedVec, DispatchError, Perbill};

/// The operators the inference pallet may assign jobs to, and their economics.
///
/// `stake` is always the operator's *total slashable stake* (own bond plus delegations,
/// including stake that is unbonding but still slashable).
pub trait OperatorProvider<AccountId, Balance> {
	/// The most operators [`Self::operators_serving`] returns for one model.
	type MaxServing: Get<u32>;

	/// The operators that declared `model` and can be assigned now, with their stake.
	/// Operators with zero stake may be returned; they are never assigned.
	fn operators_serving(model: &ModelId) -> BoundedVec<(AccountId, Balance), Self::MaxServing>;

	/// The current total slashable stake behind `operator` (zero when unknown).
	fn stake_of(operator: &AccountId) -> Balance;

	/// Pay `amount` to `operator` and its delegators, taking it from the *free* balance of
	/// `from`. The provider applies the operator's commission and shares the rest with its
	/// delegators pro rata. Returns the amount actually taken from `from`; on `Err` nothing
	/// must have changed.
	fn reward(
		operator: &AccountId,
		amount: Balance,
		from: &AccountId,
	) -> Result<Balance, DispatchError>;

	/// Slash `fraction` of the stake behind `operator` (own and delegated alike) for its
	/// conduct in `job`. Returns the amount slashed. Where the slashed funds go (burnt, to a
	/// treasury) is the provider's documented policy.
	fn slash(operator: &AccountId, fraction: Perbill, job: JobId) -> Balance;

	/// Make `operator` serve `model` with `stake`, for benchmarks: after this call
	/// [`Self::operators_serving`] must list it and [`Self::reward`]/[`Self::slash`] succeed.
	#[cfg(feature = "runtime-benchmarks")]
	fn set_up_operator(operator: &AccountId, model: &ModelId, stake: Balance);
}
