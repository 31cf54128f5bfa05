//! The operator provider: who serves which model, with how much stake, and how they are paid
//! and slashed.
//!
//! The inference pallet depends on this trait only. The operator staking pallet implements it
//! (bonds, delegations, commission, a reward-per-share accumulator, deferred slashing of held
//! stake); the inference pallet's tests use a mock.

use crate::{JobId, ModelId};
use sp_core::Get;
use sp_runtime::{BoundedVec, DispatchError, Perbill};

/// What an operator did wrong in one job.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
	Debug,
)]
pub enum Offence {
	/// It revealed an output outside the group that won the job.
	Dissent,
	/// It did not reveal although a winning group showed the job could be done.
	Silence,
}

/// The operators the inference pallet may assign jobs to, and their economics.
///
/// `stake` is always the operator's *stake at risk*: stake that cannot leave the operator's
/// positions before any job assigned now is settled and its slashes applied (bonded and
/// delegated stake that is active; stake already unbonding, which could be withdrawn before a
/// job's slash lands, is not counted).
pub trait OperatorProvider<AccountId, Balance> {
	/// The most operators [`Self::operators_serving`] returns for one model.
	type MaxServing: Get<u32>;

	/// The operators that declared `model` and can be assigned now, with their stake at risk.
	/// Operators with zero stake may be returned; they are never assigned.
	fn operators_serving(model: &ModelId) -> BoundedVec<(AccountId, Balance), Self::MaxServing>;

	/// The current stake at risk behind `operator` (zero when unknown).
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

	/// Report that `operator` committed `offence` in `job`, to which it was assigned with
	/// `exposure` stake at risk. The provider schedules a slash of `fraction × exposure`
	/// (capped by what the operator's positions hold; never reaching stake added after the
	/// job was assigned), deferred so that governance can cancel it, and counts one incident
	/// once: within one slashing span an operator loses at most its largest reported fraction,
	/// not their sum. Returns the amount newly scheduled (zero when an earlier report in the
	/// same span already covers it). Where slashed funds go is the provider's policy.
	fn report_offence(
		operator: &AccountId,
		job: JobId,
		offence: Offence,
		fraction: Perbill,
		exposure: Balance,
	) -> Balance;

	/// Make `operator` serve `model` with `stake`, for benchmarks: after this call
	/// [`Self::operators_serving`] must list it and [`Self::reward`] /
	/// [`Self::report_offence`] succeed.
	#[cfg(feature = "runtime-benchmarks")]
	fn set_up_operator(operator: &AccountId, model: &ModelId, stake: Balance);
}
