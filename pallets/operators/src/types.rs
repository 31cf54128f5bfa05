//! Types of the operator staking pallet.

use crate::Config;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	traits::fungible, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_runtime::{traits::Zero, Perbill, Saturating};
use verity_primitives::{operators::Offence, JobId, ModelId};

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
/// one unit of reward per unit of *unslashed* active stake (stake at slash factor
/// [`SLASH_FACTOR_ONE`]).
pub const REWARD_PRECISION: u128 = 1_000_000_000_000_000_000;

/// The fixed-point scale of [`OperatorInfo::slash_factor`]: an operator nobody has slashed has
/// factor `SLASH_FACTOR_ONE`. Equal to [`REWARD_PRECISION`], so that a position's reward is
/// simply `stake × Δreward_per_stake / slash_factor_synced` (see [`StakeInfo`]).
pub const SLASH_FACTOR_ONE: u128 = REWARD_PRECISION;

/// A slash factor below this (a billionth of [`SLASH_FACTOR_ONE`]) is rounded down to zero:
/// the slash takes everything. Below it the factor would be too coarse to share later slashes
/// and rewards fairly; an operator slashed to a billionth of its stake is finished anyway.
pub const MIN_SLASH_FACTOR: u128 = 1_000_000_000;

/// The deferred slashes due in one block: at most one per operator (reports of one operator
/// in one block are merged), so `MaxOperators` bounds it.
pub type DeferredSlashesOf<T> = BoundedVec<DeferredSlash<T>, <T as Config>::MaxOperators>;

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
	/// The reward accumulator: rewards ever paid to this operator's stakers per unit of
	/// *unslashed* active stake (stake divided by the slash factor), scaled by
	/// [`REWARD_PRECISION`]. A reward `r` shared by active stake `A` at slash factor `F` raises
	/// it by `r × F / A`. Only grows.
	pub reward_per_stake: u128,
	/// The slash factor: the product of `(1 − amount / total)` over every slash applied to this
	/// operator, scaled by [`SLASH_FACTOR_ONE`]. A position worth `s` when it last synced at
	/// factor `f₀` is worth `s × slash_factor / f₀` now (rounded down). Only falls; once zero
	/// (a full slash) the operator takes no new stake.
	pub slash_factor: u128,
	/// Slashed from the totals above but not yet taken from the positions' holds: a position
	/// gives up its share (and its hold is cut) the next time it is touched. Each field is part
	/// of the matching total's history: `self_bond + untaken.own` equals the sum of the own
	/// position's stored active stake, and so on.
	pub untaken: UntakenSlash<BalanceOf<T>>,
	/// The block the operator registered in.
	pub registered_at: BlockNumberFor<T>,
}

impl<T: Config> OperatorInfo<T> {
	/// The stake that earns rewards and counts for the validator set: own plus delegated,
	/// unbonding excluded.
	pub fn active_stake(&self) -> BalanceOf<T> {
		self.self_bond.saturating_add(self.delegated)
	}

	/// The stake at risk: what votes and is drawn for jobs. Stake already unbonding is left
	/// out, since it could be withdrawn before a job assigned now is settled and its slash
	/// applied (`UnbondingPeriod > MaxJobDuration + SlashDeferDuration`).
	pub fn stake_at_risk(&self) -> BalanceOf<T> {
		self.active_stake()
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

/// Slashed stake an operator's totals no longer count but its positions still hold, per
/// total (see [`OperatorInfo::untaken`]).
#[derive(
	Clone,
	Copy,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct UntakenSlash<Balance> {
	/// From the operator's own active bond.
	pub own: Balance,
	/// From active delegations.
	pub delegated: Balance,
	/// From unbonding chunks (own and delegated).
	pub unbonding: Balance,
}

/// A slash waiting for its deferral to pass (see [`crate::DeferredSlashes`]).
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct DeferredSlash<T: Config> {
	/// The operator.
	pub operator: T::AccountId,
	/// The job of the first report merged into this slash.
	pub job: JobId,
	/// The offence of that report.
	pub offence: Offence,
	/// The amount to take from the stake behind the operator (capped by what it holds when
	/// applied).
	pub amount: BalanceOf<T>,
}

/// The slashing span an operator was last reported in.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
pub struct SlashSpan<T: Config> {
	/// The span's index: the report block divided by `SlashSpanLength`.
	pub index: BlockNumberFor<T>,
	/// The largest amount reported in the span (cancelled reports included): the most the
	/// operator loses for the span.
	pub largest: BalanceOf<T>,
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
	/// `floor(active × (reward_per_stake − reward_per_stake_paid) / slash_factor_synced)`
	/// more (`active` as stored: the accumulator counts unslashed stake, so slashes since the
	/// last sync are accounted for exactly). Never above the operator's accumulator.
	pub reward_per_stake_paid: u128,
	/// Rewards (and, for the operator's own position, commission) credited but not yet paid.
	pub unclaimed: BalanceOf<T>,
	/// The operator's [`OperatorInfo::slash_factor`] when the position last synced: `active`
	/// and every chunk are stored as of then, and are worth `× slash_factor /
	/// slash_factor_synced` now. Zero only after a full slash.
	pub slash_factor_synced: u128,
}

impl<T: Config> StakeInfo<T> {
	/// An empty position of an operator whose accumulator is at `reward_per_stake` and slash
	/// factor at `slash_factor`.
	pub fn new(reward_per_stake: u128, slash_factor: u128) -> Self {
		Self {
			active: Zero::zero(),
			unbonding: Default::default(),
			reward_per_stake_paid: reward_per_stake,
			unclaimed: Zero::zero(),
			slash_factor_synced: slash_factor,
		}
	}

	/// The sum of the unbonding chunks (as stored, before unsynced slashes).
	pub fn unbonding_total(&self) -> BalanceOf<T> {
		self.unbonding
			.iter()
			.fold(Zero::zero(), |acc: BalanceOf<T>, c| acc.saturating_add(c.amount))
	}

	/// What the position holds: active plus unbonding (as stored: equal to the staker's hold
	/// for it; a part may be slashed already and taken at the next sync).
	pub fn held(&self) -> BalanceOf<T> {
		self.active.saturating_add(self.unbonding_total())
	}

	/// Whether nothing is left in the position: no stake and no unpaid reward.
	pub fn is_empty(&self) -> bool {
		self.active.is_zero() && self.unbonding.is_empty() && self.unclaimed.is_zero()
	}
}
