//! Types of the operator staking pallet.

use crate::Config;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	traits::fungible, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_runtime::{traits::Zero, Perbill, Saturating};
use verity_primitives::ModelId;

/// The balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// An imbalance of the pallet's currency: what a slash takes out of the held stake.
pub type CreditOf<T> =
	fungible::Credit<<T as frame_system::Config>::AccountId, <T as Config>::Currency>;

/// The models an operator declares it serves.
pub type ModelsOf<T> = BoundedVec<ModelId, <T as Config>::MaxModelsPerOperator>;

/// The operators that declared one model.
pub type ModelOperatorsOf<T> =
	BoundedVec<<T as frame_system::Config>::AccountId, <T as Config>::MaxOperatorsPerModel>;

/// An operator registered at genesis: `(operator, self_bond, commission, models)`.
pub type GenesisOperator<T> =
	(<T as frame_system::Config>::AccountId, BalanceOf<T>, Perbill, alloc::vec::Vec<ModelId>);

/// The unbonding queue of one stake position.
pub type UnbondingOf<T> = BoundedVec<UnbondingChunk<T>, <T as Config>::MaxUnbondingChunks>;

/// The fixed-point scale of [`OperatorInfo::reward_per_stake`]: `10^18` accumulator units are
/// one unit of reward per unit of active stake.
pub const REWARD_PRECISION: u128 = 1_000_000_000_000_000_000;

/// Where an operator stands.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum OperatorStatus {
	/// Assignable to jobs and eligible for the validator set.
	Active,
	/// Paused by the operator ([`crate::Pallet::chill`]): neither assigned jobs nor elected
	/// until it calls [`crate::Pallet::resume`]. Its stake stays bonded and slashable.
	Chilled,
	/// Deregistered ([`crate::Pallet::deregister`]): its self-bond is unbonding, it takes no
	/// new delegations, and its record goes once its own bond and every delegation to it have
	/// been withdrawn.
	Leaving,
}

/// A commission increase waiting for its delay to pass.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct CommissionChange<BlockNumber> {
	/// The new commission.
	pub commission: Perbill,
	/// The first block it applies in.
	pub effective_at: BlockNumber,
}

/// A registered operator: its terms and the totals of the stake behind it.
///
/// The totals are kept in step with the [`crate::Stakes`] positions of the operator, so the
/// provider's reads (`stake_of`, `operators_serving`, session selection) are O(1) per operator.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct OperatorInfo<T: Config> {
	/// Where the operator stands.
	pub status: OperatorStatus,
	/// The share of every reward the operator keeps before the rest is shared by stake.
	pub commission: Perbill,
	/// A scheduled commission increase (decreases apply at once).
	pub pending_commission: Option<CommissionChange<BlockNumberFor<T>>>,
	/// The models the operator declared it serves.
	pub models: ModelsOf<T>,
	/// The operator's own active bond (held under `HoldReason::OperatorBond`).
	pub self_bond: BalanceOf<T>,
	/// The sum of the active delegations to the operator (held under
	/// `HoldReason::Delegation` on the delegators' accounts).
	pub delegated: BalanceOf<T>,
	/// The sum of every unbonding chunk of every position with this operator (own and
	/// delegated): no longer earning, still slashable.
	pub unbonding: BalanceOf<T>,
	/// The number of delegator positions (the operator's own position not counted), at most
	/// `MaxDelegatorsPerOperator`.
	pub delegators: u32,
	/// The reward accumulator: rewards per unit of active stake ever paid to this operator's
	/// stakers, scaled by [`REWARD_PRECISION`]. Only grows.
	pub reward_per_stake: u128,
	/// The block the operator registered in.
	pub registered_at: BlockNumberFor<T>,
}

impl<T: Config> OperatorInfo<T> {
	/// The stake that earns rewards and counts for the validator set: own plus delegated,
	/// unbonding excluded.
	pub fn active_stake(&self) -> BalanceOf<T> {
		self.self_bond.saturating_add(self.delegated)
	}

	/// The stake a slash reaches: active plus unbonding.
	pub fn total_stake(&self) -> BalanceOf<T> {
		self.active_stake().saturating_add(self.unbonding)
	}

	/// The commission in force at `now`, taking a matured scheduled increase into account.
	pub fn commission_at(&self, now: BlockNumberFor<T>) -> Perbill {
		match self.pending_commission {
			Some(change) if change.effective_at <= now => change.commission,
			_ => self.commission,
		}
	}

	/// Apply a scheduled commission increase whose delay has passed.
	pub fn apply_pending_commission(&mut self, now: BlockNumberFor<T>) {
		if let Some(change) = self.pending_commission {
			if change.effective_at <= now {
				self.commission = change.commission;
				self.pending_commission = None;
			}
		}
	}
}

/// Stake on its way out of a position: slashable until `unlock_at`, then withdrawable.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct UnbondingChunk<T: Config> {
	/// The amount, still held.
	pub amount: BalanceOf<T>,
	/// The first block it can be withdrawn (or moved on) in.
	pub unlock_at: BlockNumberFor<T>,
	/// For a redelegation, the operator the amount is delegated to once it unlocks (it never
	/// becomes free in between).
	pub redelegate_to: Option<T::AccountId>,
}

/// One staker's position with one operator: the operator's own bond when the staker is the
/// operator, a delegation otherwise.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct StakeInfo<T: Config> {
	/// The active amount: earns rewards, is slashable, counts for the operator's stake.
	pub active: BalanceOf<T>,
	/// The unbonding queue, oldest first.
	pub unbonding: UnbondingOf<T>,
	/// The operator's [`OperatorInfo::reward_per_stake`] when the position last settled its
	/// rewards (its *reward debt*, in accumulator units): the position is owed
	/// `floor(active × (reward_per_stake − reward_per_stake_paid) / REWARD_PRECISION)` more.
	/// Never above the operator's accumulator.
	pub reward_per_stake_paid: u128,
	/// Rewards (and, for the operator's own position, commission) credited but not yet paid.
	pub unclaimed: BalanceOf<T>,
}

impl<T: Config> StakeInfo<T> {
	/// An empty position that starts earning from the accumulator value `reward_per_stake`.
	pub fn new(reward_per_stake: u128) -> Self {
		Self {
			active: Zero::zero(),
			unbonding: Default::default(),
			reward_per_stake_paid: reward_per_stake,
			unclaimed: Zero::zero(),
		}
	}

	/// The sum of the unbonding chunks.
	pub fn unbonding_total(&self) -> BalanceOf<T> {
		self.unbonding
			.iter()
			.fold(Zero::zero(), |acc: BalanceOf<T>, c| acc.saturating_add(c.amount))
	}

	/// What the position holds: active plus unbonding.
	pub fn held(&self) -> BalanceOf<T> {
		self.active.saturating_add(self.unbonding_total())
	}

	/// Whether nothing is left in the position: no stake and no unpaid reward.
	pub fn is_empty(&self) -> bool {
		self.active.is_zero() && self.unbonding.is_empty() && self.unclaimed.is_zero()
	}
}
