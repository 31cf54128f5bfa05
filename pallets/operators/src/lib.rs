//! # Operator staking
//!
//! Operators are the validators that run inference. Token holders stake on them; stake decides
//! who validates, who is assigned jobs and how much each earns and risks. Built on `fungible`
//! holds (pallet-staking is deprecated upstream): every bonded unit stays in its owner's account,
//! held under [`HoldReason::OperatorBond`] (an operator's own bond) or
//! [`HoldReason::Delegation`] (a delegator's stake).
//!
//! ## Lifecycle
//!
//! - **Operators**: [`Pallet::register`] with at least `MinSelfBond`, a commission (at most
//!   `MaxCommission`) and the models they serve; [`Pallet::bond_more`], [`Pallet::unbond`]
//!   (never below `MinSelfBond`), [`Pallet::set_commission`] (decreases apply at once, increases
//!   after `CommissionChangeDelay` blocks, so delegators can leave first),
//!   [`Pallet::set_models`], [`Pallet::chill`] / [`Pallet::resume`], [`Pallet::deregister`]
//!   (the whole self-bond starts unbonding; the record goes once every position is withdrawn).
//!   Session keys (aura, grandpa and `infr`, see `verity_primitives::infr`) are set with
//!   pallet-session's own `set_keys`; its `KeyOwner` storage maps an `infr` key back to the
//!   operator.
//! - **Delegators**: [`Pallet::delegate`] (at least `MinDelegation`, at most
//!   `MaxDelegatorsPerOperator` per operator), [`Pallet::undelegate`] into an unbonding queue,
//!   [`Pallet::withdraw_unbonded`] after `UnbondingPeriod` blocks, [`Pallet::redelegate`].
//!   An account may delegate to any number of operators; each (operator, staker) pair is one
//!   [`Stakes`] position. The operator's own bond is its position with itself.
//! - **Unbonding**: unbonding stake earns nothing and stays held *and slashable until it is
//!   withdrawn*. A redelegation is an unbonding chunk tagged with its target: it stays
//!   slashable by the old operator for the whole period and is delegated to the new one when
//!   withdrawn, never becoming free in between. (An instant redelegation would let a delegator
//!   escape a slash it can see coming, e.g. after its operator revealed a dissenting output.)
//!
//! ## Rewards
//!
//! [`OperatorProvider::reward`] moves the payment from the payer's free balance into the
//! pallet's reward pot (`PalletId`'s account). The operator's commission is credited to its own
//! position; the rest raises the operator's reward accumulator
//! `reward_per_stake += rest × 10^18 / active_stake` — O(1) in the number of delegators. A
//! position is owed `active × (reward_per_stake − reward_per_stake_paid) / 10^18`, rounded
//! down; it is settled (moved to `unclaimed`) before any change of its stake and paid by
//! [`Pallet::claim`] and, best effort, by every call that changes the caller's stake
//! (auto-claim); a slash settles without paying. Rounding dust stays in the pot. Unbonding
//! stake does not earn. With no active stake at all the whole reward goes to the operator's own
//! position (refused with [`Error::NoActiveStake`] once that is gone too). The pot is endowed
//! with one existential deposit at genesis, so payments of any size can land in it.
//!
//! ## Slashing
//!
//! [`OperatorProvider::slash`] takes `fraction` of every position with the operator — its own
//! bond and every delegation, active and unbonding alike, each rounded down — from the held
//! balances, and hands the total to `OnSlash` (`()` burns; `ResolveTo<TreasuryAccount, _>`
//! pays a treasury). [`Event::Slashed`] names the job and the amounts. The slash iterates the
//! operator's positions, so its cost is O(1 + `MaxDelegatorsPerOperator`) storage items; that
//! bound (and `MinDelegation`, which makes filling it costly) is what keeps it within a block
//! (see the `slash` weight). This is the deliberate simple choice over nomination-pool style
//! shares: exact per-account holds at all times, no lazy reconciliation.
//!
//! ## Validator set
//!
//! The pallet is pallet-session's `SessionManager`: each new session takes the top
//! `MaxValidators` active operators by active stake (own + delegated; ties by account id)
//! whose self-bond is at least `MinSelfBond` and who have session keys (`HasSessionKeys`);
//! with fewer than `MinValidators` it keeps the current set. Aura and GRANDPA follow the
//! session. Operators also serve jobs for the models they declared ([`ModelOperators`]) while
//! active and bonded at least `MinSelfBond`, whether or not they are in the current set.
//!
//! ## Invariants (checked by `do_try_state`)
//!
//! - For every account, the balance held under [`HoldReason::OperatorBond`] equals its own
//!   operator position (active + unbonding), and under [`HoldReason::Delegation`] the sum of
//!   its delegations (active + unbonding): held stake equals bonds plus delegations plus
//!   unbonding.
//! - Every operator's totals (`self_bond`, `delegated`, `unbonding`, `delegators`) equal the
//!   sums over its positions; every position belongs to a registered operator; an operator that
//!   is not leaving has its own position.
//! - No position's reward debt exceeds its accrued rewards
//!   (`reward_per_stake_paid ≤ reward_per_stake`), and the pot holds at least every unpaid and
//!   pending reward.
//! - [`ModelOperators`] is exactly the index of the models of the operators that are not
//!   leaving; the counter of [`Operators`] matches its entries.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
mod provider;
pub mod rewards;
pub mod session;
pub mod slashing;
mod stake;
#[cfg(test)]
mod tests;
#[cfg(any(feature = "try-runtime", feature = "std", test))]
mod try_state;
mod types;
pub mod weights;

pub use pallet::*;
pub use session::SessionKeysRegistered;
pub use types::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{BalancedHold, InspectHold, Mutate, MutateHold},
		Contains, OnUnbalanced,
	},
	PalletId,
};
use frame_system::pallet_prelude::*;
use sp_runtime::{
	traits::{AccountIdConversion, Zero},
	Perbill, Saturating,
};
use verity_primitives::ModelId;

/// Log target of this pallet.
pub const LOG_TARGET: &str = "runtime::operators";

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// An operator's own bond, active or unbonding.
		OperatorBond,
		/// A delegator's stake with an operator, active or unbonding.
		Delegation,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The native currency; bonds and delegations are holds on it, slashes take from the
		/// holds.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ InspectHold<Self::AccountId>
			+ BalancedHold<Self::AccountId>
			+ Mutate<Self::AccountId>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// Where slashed stake goes: `()` burns it, `ResolveTo<TreasuryAccount, Balances>`
		/// pays it to a treasury.
		type OnSlash: OnUnbalanced<CreditOf<Self>>;

		/// The id of the reward pot account, which holds paid but unclaimed rewards.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// The least an operator must bond to register, and keep bonded to be elected or
		/// assigned jobs.
		#[pallet::constant]
		type MinSelfBond: Get<BalanceOf<Self>>;

		/// The least active stake a delegation may have (unless it is leaving entirely).
		#[pallet::constant]
		type MinDelegation: Get<BalanceOf<Self>>;

		/// The highest commission an operator may set.
		#[pallet::constant]
		type MaxCommission: Get<Perbill>;

		/// How many blocks a commission increase waits before it applies.
		#[pallet::constant]
		type CommissionChangeDelay: Get<BlockNumberFor<Self>>;

		/// How many blocks unbonding stake stays held and slashable.
		#[pallet::constant]
		type UnbondingPeriod: Get<BlockNumberFor<Self>>;

		/// The most unbonding chunks one position may have at once.
		#[pallet::constant]
		type MaxUnbondingChunks: Get<u32>;

		/// The most delegator positions one operator may have (bounds a slash).
		#[pallet::constant]
		type MaxDelegatorsPerOperator: Get<u32>;

		/// The most registered operators (bounds the validator selection).
		#[pallet::constant]
		type MaxOperators: Get<u32>;

		/// The most models one operator may declare.
		#[pallet::constant]
		type MaxModelsPerOperator: Get<u32>;

		/// The most operators that may declare one model; also the provider's `MaxServing`.
		#[pallet::constant]
		type MaxOperatorsPerModel: Get<u32>;

		/// The fewest validators a new session may have; with fewer eligible operators the
		/// current set is kept.
		#[pallet::constant]
		type MinValidators: Get<u32>;

		/// The most validators a session may have.
		#[pallet::constant]
		type MaxValidators: Get<u32>;

		/// The accounts that have session keys, and so may be elected
		/// ([`SessionKeysRegistered`] reads pallet-session's `NextKeys`).
		type HasSessionKeys: Contains<Self::AccountId>;

		/// Weights of this pallet's calls and provider functions.
		type WeightInfo: WeightInfo;
	}

	/// The registered operators.
	#[pallet::storage]
	pub type Operators<T: Config> =
		CountedStorageMap<_, Blake2_128Concat, T::AccountId, OperatorInfo<T>, OptionQuery>;

	/// Every stake position: `(operator, staker)`. The operator's own bond is the position
	/// with `staker == operator`; every other is a delegation.
	#[pallet::storage]
	pub type Stakes<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		StakeInfo<T>,
		OptionQuery,
	>;

	/// The operators that declared each model (operators that are leaving excluded).
	#[pallet::storage]
	pub type ModelOperators<T: Config> =
		StorageMap<_, Identity, ModelId, ModelOperatorsOf<T>, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An operator registered.
		OperatorRegistered {
			/// The operator.
			operator: T::AccountId,
			/// Its own bond, held.
			self_bond: BalanceOf<T>,
			/// Its commission.
			commission: Perbill,
			/// The models it serves.
			models: ModelsOf<T>,
		},
		/// An operator added to its own bond.
		Bonded {
			/// The operator.
			operator: T::AccountId,
			/// The amount added (held).
			amount: BalanceOf<T>,
		},
		/// An operator started unbonding part of its own bond.
		Unbonded {
			/// The operator.
			operator: T::AccountId,
			/// The amount moved to the unbonding queue.
			amount: BalanceOf<T>,
			/// The first block it can be withdrawn in.
			unlock_at: BlockNumberFor<T>,
		},
		/// An operator's commission changed, effective now.
		CommissionChanged {
			/// The operator.
			operator: T::AccountId,
			/// The new commission.
			commission: Perbill,
		},
		/// An operator scheduled a commission increase.
		CommissionChangeScheduled {
			/// The operator.
			operator: T::AccountId,
			/// The new commission.
			commission: Perbill,
			/// The first block it applies in.
			effective_at: BlockNumberFor<T>,
		},
		/// An operator changed the models it serves.
		ModelsSet {
			/// The operator.
			operator: T::AccountId,
			/// The models it now serves.
			models: ModelsOf<T>,
		},
		/// An operator paused: no jobs, not elected.
		Chilled {
			/// The operator.
			operator: T::AccountId,
		},
		/// A chilled operator is active again.
		Resumed {
			/// The operator.
			operator: T::AccountId,
		},
		/// An operator deregistered; its self-bond is unbonding.
		Deregistered {
			/// The operator.
			operator: T::AccountId,
			/// Its active self-bond, moved to the unbonding queue.
			unbonding: BalanceOf<T>,
			/// The first block it can be withdrawn in.
			unlock_at: BlockNumberFor<T>,
		},
		/// A deregistered operator's last position was withdrawn; its record is gone.
		OperatorRemoved {
			/// The operator.
			operator: T::AccountId,
		},
		/// A delegator staked on an operator.
		Delegated {
			/// The delegator.
			delegator: T::AccountId,
			/// The operator.
			operator: T::AccountId,
			/// The amount added (held).
			amount: BalanceOf<T>,
		},
		/// A delegator started unbonding part of its delegation.
		Undelegated {
			/// The delegator.
			delegator: T::AccountId,
			/// The operator.
			operator: T::AccountId,
			/// The amount moved to the unbonding queue.
			amount: BalanceOf<T>,
			/// The first block it can be withdrawn in.
			unlock_at: BlockNumberFor<T>,
		},
		/// A delegator scheduled moving stake to another operator.
		RedelegationScheduled {
			/// The delegator.
			delegator: T::AccountId,
			/// The operator the stake leaves (and stays slashable by until `unlock_at`).
			from: T::AccountId,
			/// The operator the stake goes to.
			to: T::AccountId,
			/// The amount.
			amount: BalanceOf<T>,
			/// The first block the move can complete in.
			unlock_at: BlockNumberFor<T>,
		},
		/// A scheduled redelegation completed: the stake is active with the new operator.
		Redelegated {
			/// The delegator.
			delegator: T::AccountId,
			/// The operator the stake left.
			from: T::AccountId,
			/// The operator the stake is now with.
			to: T::AccountId,
			/// The amount moved.
			amount: BalanceOf<T>,
		},
		/// Unbonded stake was released to its owner (including a redelegation whose target can
		/// no longer take it).
		Withdrawn {
			/// The staker (operator or delegator).
			staker: T::AccountId,
			/// The operator the stake was with.
			operator: T::AccountId,
			/// The amount released.
			amount: BalanceOf<T>,
		},
		/// Rewards were paid out of the pot.
		RewardsClaimed {
			/// The staker paid.
			staker: T::AccountId,
			/// The operator the position is with.
			operator: T::AccountId,
			/// The amount paid.
			amount: BalanceOf<T>,
		},
		/// An operator and its stakers were paid.
		Rewarded {
			/// The operator.
			operator: T::AccountId,
			/// Who paid.
			payer: T::AccountId,
			/// The whole payment, now in the pot.
			amount: BalanceOf<T>,
			/// The part credited to the operator as commission.
			commission: BalanceOf<T>,
		},
		/// Stake behind an operator was slashed for its conduct in a job.
		Slashed {
			/// The operator.
			operator: T::AccountId,
			/// The job.
			job: verity_primitives::JobId,
			/// The fraction of every position slashed.
			fraction: Perbill,
			/// Taken from the operator's own bond (active and unbonding).
			own: BalanceOf<T>,
			/// Taken from its delegators (active and unbonding).
			delegated: BalanceOf<T>,
			/// Taken from unbonding stake (a part of `own + delegated`).
			unbonding: BalanceOf<T>,
		},
		/// The validator set for a coming session was chosen.
		ValidatorsSelected {
			/// The session it applies to.
			session: sp_staking::SessionIndex,
			/// The validators, by decreasing active stake.
			validators: Vec<T::AccountId>,
		},
		/// Too few operators were eligible for a coming session; the current set stays.
		ValidatorSelectionSkipped {
			/// The session it was for.
			session: sp_staking::SessionIndex,
			/// How many were eligible.
			eligible: u32,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is not a registered operator.
		NotOperator,
		/// The account is already a registered operator (or still leaving).
		AlreadyRegistered,
		/// The operator is leaving: it takes no new stake or configuration.
		OperatorLeaving,
		/// The self-bond would be below `MinSelfBond`.
		BondTooLow,
		/// The commission is above `MaxCommission`.
		CommissionTooHigh,
		/// `MaxOperators` operators are registered.
		TooManyOperators,
		/// A model appears twice in the list.
		DuplicateModel,
		/// `MaxOperatorsPerModel` operators already serve one of the models.
		ModelFull,
		/// The amount is zero.
		ZeroAmount,
		/// The caller cannot afford to bond the amount.
		InsufficientBalance,
		/// The amount is more than the position's active stake.
		InsufficientStake,
		/// The position already has `MaxUnbondingChunks` unbonding chunks.
		TooManyUnbondingChunks,
		/// The operator is already chilled.
		AlreadyChilled,
		/// The operator is not chilled.
		NotChilled,
		/// Operators manage their own bond with `bond_more`, `unbond` and `deregister`, and
		/// cannot delegate or redelegate to themselves.
		SelfDelegation,
		/// The delegation would be below `MinDelegation` (and not zero).
		DelegationTooLow,
		/// The operator has `MaxDelegatorsPerOperator` delegators.
		TooManyDelegators,
		/// The caller has no stake with this operator.
		NotStaker,
		/// No unbonding chunk has unlocked yet.
		NothingToWithdraw,
		/// No reward is owed.
		NothingToClaim,
		/// Redelegation to the operator the stake is already with.
		SameOperator,
		/// A reward with no active stake and no operator bond to credit it to.
		NoActiveStake,
		/// The reward accumulator would overflow.
		RewardOverflow,
	}

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Operators registered at genesis: `(operator, self_bond, commission, models)`. Each
		/// must have the self-bond free (e.g. from the balances genesis).
		pub operators: Vec<GenesisOperator<T>>,
		/// Delegations made at genesis: `(delegator, operator, amount)`.
		pub delegations: Vec<(T::AccountId, T::AccountId, BalanceOf<T>)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			Pallet::<T>::ensure_pot_exists();
			for (who, self_bond, commission, models) in &self.operators {
				let models = ModelsOf::<T>::try_from(models.clone())
					.unwrap_or_else(|_| panic!("genesis operator {who:?}: too many models"));
				Pallet::<T>::do_register(who, *self_bond, *commission, models)
					.unwrap_or_else(|e| panic!("genesis operator {who:?}: {e:?}"));
			}
			for (delegator, operator, amount) in &self.delegations {
				Pallet::<T>::do_delegate(delegator, operator, *amount)
					.unwrap_or_else(|e| panic!("genesis delegation {delegator:?}: {e:?}"));
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(!T::MinSelfBond::get().is_zero(), "MinSelfBond must be positive");
			assert!(!T::MinDelegation::get().is_zero(), "MinDelegation must be positive");
			assert!(T::MaxUnbondingChunks::get() > 0, "MaxUnbondingChunks must be positive");
			assert!(T::MaxModelsPerOperator::get() > 0, "MaxModelsPerOperator must be positive");
			assert!(
				T::MaxOperatorsPerModel::get() <= T::MaxOperators::get(),
				"MaxOperatorsPerModel cannot exceed MaxOperators"
			);
			assert!(
				(1..=T::MaxValidators::get()).contains(&T::MinValidators::get()),
				"MinValidators must be within 1..=MaxValidators"
			);
			// The worst slash must fit in a block with room to spare: it runs inside job
			// settlement.
			let slash = T::WeightInfo::slash(T::MaxDelegatorsPerOperator::get());
			let max = T::BlockWeights::get().max_block;
			assert!(
				slash.all_lte(max / 10),
				"the worst slash ({slash}) must fit in a tenth of a block ({max})"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register the caller as an operator, holding `self_bond` from it under
		/// [`HoldReason::OperatorBond`].
		///
		/// Origin: signed. The operator becomes active for `models` at once; it is elected
		/// from the next session planned once it has set session keys.
		///
		/// Emits [`Event::OperatorRegistered`].
		///
		/// ## Errors
		/// - [`Error::AlreadyRegistered`]: the caller is an operator (or still leaving).
		/// - [`Error::BondTooLow`]: `self_bond` is below `MinSelfBond`.
		/// - [`Error::CommissionTooHigh`]: `commission` is above `MaxCommission`.
		/// - [`Error::TooManyOperators`]: `MaxOperators` are registered.
		/// - [`Error::DuplicateModel`], [`Error::ModelFull`]: `models` cannot be indexed.
		/// - [`Error::InsufficientBalance`]: the caller cannot hold `self_bond`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register())]
		pub fn register(
			origin: OriginFor<T>,
			self_bond: BalanceOf<T>,
			commission: Perbill,
			models: ModelsOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register(&who, self_bond, commission, models)
		}

		/// Add `amount` to the caller's own bond. Pays the caller's pending rewards.
		///
		/// Origin: signed by an operator.
		///
		/// Emits [`Event::Bonded`] (and [`Event::RewardsClaimed`] when rewards were paid).
		///
		/// ## Errors
		/// - [`Error::NotOperator`], [`Error::OperatorLeaving`].
		/// - [`Error::ZeroAmount`].
		/// - [`Error::InsufficientBalance`]: the caller cannot hold `amount`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::bond_more())]
		pub fn bond_more(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bond_more(&who, amount)
		}

		/// Move `amount` of the caller's own bond to its unbonding queue; it can be withdrawn
		/// after `UnbondingPeriod` blocks and stays slashable until then. Pays the caller's
		/// pending rewards. To leave entirely, use [`Pallet::deregister`].
		///
		/// Origin: signed by an operator.
		///
		/// Emits [`Event::Unbonded`].
		///
		/// ## Errors
		/// - [`Error::NotOperator`], [`Error::OperatorLeaving`].
		/// - [`Error::ZeroAmount`], [`Error::InsufficientStake`].
		/// - [`Error::BondTooLow`]: less than `MinSelfBond` would remain.
		/// - [`Error::TooManyUnbondingChunks`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::unbond())]
		pub fn unbond(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unbond_own(&who, amount)
		}

		/// Set the caller's commission. A decrease (or no change) applies at once and cancels a
		/// scheduled increase; an increase applies `CommissionChangeDelay` blocks from now,
		/// replacing any scheduled one.
		///
		/// Origin: signed by an operator.
		///
		/// Emits [`Event::CommissionChanged`] or [`Event::CommissionChangeScheduled`].
		///
		/// ## Errors
		/// - [`Error::NotOperator`], [`Error::OperatorLeaving`].
		/// - [`Error::CommissionTooHigh`]: above `MaxCommission`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_commission())]
		pub fn set_commission(origin: OriginFor<T>, commission: Perbill) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_commission(&who, commission)
		}

		/// Replace the models the caller serves. Jobs already assigned are unaffected.
		///
		/// Origin: signed by an operator.
		///
		/// Emits [`Event::ModelsSet`].
		///
		/// ## Errors
		/// - [`Error::NotOperator`], [`Error::OperatorLeaving`].
		/// - [`Error::DuplicateModel`], [`Error::ModelFull`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_models())]
		pub fn set_models(origin: OriginFor<T>, models: ModelsOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_models(&who, models)
		}

		/// Pause the caller: it is assigned no new jobs and is not elected from the next
		/// session planned. Its stake stays bonded and slashable.
		///
		/// Origin: signed by an operator.
		///
		/// Emits [`Event::Chilled`].
		///
		/// ## Errors
		/// - [`Error::NotOperator`], [`Error::OperatorLeaving`], [`Error::AlreadyChilled`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::chill())]
		pub fn chill(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_status(&who, OperatorStatus::Active, OperatorStatus::Chilled)
		}

		/// Make a chilled operator active again.
		///
		/// Origin: signed by an operator.
		///
		/// Emits [`Event::Resumed`].
		///
		/// ## Errors
		/// - [`Error::NotOperator`], [`Error::OperatorLeaving`], [`Error::NotChilled`].
		/// - [`Error::BondTooLow`]: the self-bond is below `MinSelfBond` (e.g. after a slash).
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::resume())]
		pub fn resume(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_status(&who, OperatorStatus::Chilled, OperatorStatus::Active)
		}

		/// Leave: stop serving models, take no new delegations, move the whole self-bond to the
		/// unbonding queue. The operator stays slashable (jobs in flight still settle) until
		/// its stake is withdrawn; its record is removed once its own bond and every delegation
		/// to it are withdrawn.
		///
		/// Origin: signed by an operator.
		///
		/// Emits [`Event::Deregistered`].
		///
		/// ## Errors
		/// - [`Error::NotOperator`], [`Error::OperatorLeaving`].
		/// - [`Error::TooManyUnbondingChunks`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::deregister())]
		pub fn deregister(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_deregister(&who)
		}

		/// Stake `amount` of the caller's free balance on `operator` (held under
		/// [`HoldReason::Delegation`]). Pays the caller's pending rewards with `operator`.
		///
		/// Origin: signed, not `operator` itself.
		///
		/// Emits [`Event::Delegated`].
		///
		/// ## Errors
		/// - [`Error::SelfDelegation`]: the caller is `operator`.
		/// - [`Error::NotOperator`], [`Error::OperatorLeaving`].
		/// - [`Error::ZeroAmount`].
		/// - [`Error::DelegationTooLow`]: the delegation would be below `MinDelegation`.
		/// - [`Error::TooManyDelegators`]: a new delegator and the operator is full.
		/// - [`Error::InsufficientBalance`]: the caller cannot hold `amount`.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::delegate())]
		pub fn delegate(
			origin: OriginFor<T>,
			operator: T::AccountId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_delegate(&who, &operator, amount)
		}

		/// Move `amount` of the caller's delegation to `operator` into the unbonding queue; it
		/// can be withdrawn after `UnbondingPeriod` blocks and stays slashable until then. Pays
		/// the caller's pending rewards with `operator`.
		///
		/// Origin: signed by a delegator of `operator`.
		///
		/// Emits [`Event::Undelegated`].
		///
		/// ## Errors
		/// - [`Error::SelfDelegation`]: the caller is `operator` (use `unbond`).
		/// - [`Error::NotOperator`], [`Error::NotStaker`].
		/// - [`Error::ZeroAmount`], [`Error::InsufficientStake`].
		/// - [`Error::DelegationTooLow`]: a non-zero remainder below `MinDelegation`.
		/// - [`Error::TooManyUnbondingChunks`].
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::undelegate())]
		pub fn undelegate(
			origin: OriginFor<T>,
			operator: T::AccountId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(who != operator, Error::<T>::SelfDelegation);
			let unlock_at = Self::do_unbond(&operator, &who, amount, None)?;
			Self::deposit_event(Event::Undelegated { delegator: who, operator, amount, unlock_at });
			Ok(())
		}

		/// Complete the caller's unlocked unbonding chunks with `operator`: release them to
		/// the caller, or, for a scheduled redelegation, delegate them to its target (released
		/// instead when the target can no longer take them). An emptied position is removed
		/// (its rewards paid); a leaving operator whose last position goes is removed.
		///
		/// Origin: signed by a staker of `operator` (delegator or the operator itself).
		///
		/// Emits [`Event::Withdrawn`], [`Event::Redelegated`], [`Event::OperatorRemoved`].
		///
		/// ## Errors
		/// - [`Error::NotOperator`], [`Error::NotStaker`].
		/// - [`Error::NothingToWithdraw`]: no chunk has unlocked.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::withdraw_unbonded())]
		pub fn withdraw_unbonded(origin: OriginFor<T>, operator: T::AccountId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw_unbonded(&who, &operator)
		}

		/// Schedule moving `amount` of the caller's delegation from `from` to `to`. The stake
		/// stops earning with `from` now, stays held and slashable by `from` for
		/// `UnbondingPeriod` blocks, and becomes active with `to` when the caller then calls
		/// [`Pallet::withdraw_unbonded`] for `from`.
		///
		/// Origin: signed by a delegator of `from`.
		///
		/// Emits [`Event::RedelegationScheduled`].
		///
		/// ## Errors
		/// - [`Error::SelfDelegation`]: the caller is `from` or `to`.
		/// - [`Error::SameOperator`]: `from == to`.
		/// - [`Error::NotOperator`], [`Error::OperatorLeaving`]: `to` cannot take stake.
		/// - [`Error::NotStaker`], [`Error::ZeroAmount`], [`Error::InsufficientStake`].
		/// - [`Error::DelegationTooLow`]: the remainder with `from` or the result with `to`
		///   would be below `MinDelegation`.
		/// - [`Error::TooManyUnbondingChunks`].
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::redelegate())]
		pub fn redelegate(
			origin: OriginFor<T>,
			from: T::AccountId,
			to: T::AccountId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_redelegate(&who, &from, &to, amount)
		}

		/// Pay the caller's rewards with `operator` (for the operator itself, its commission
		/// too) from the pot.
		///
		/// Origin: signed by a staker of `operator`.
		///
		/// Emits [`Event::RewardsClaimed`].
		///
		/// ## Errors
		/// - [`Error::NotOperator`], [`Error::NotStaker`].
		/// - [`Error::NothingToClaim`].
		/// - A token error when the payment cannot be made.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::claim())]
		pub fn claim(origin: OriginFor<T>, operator: T::AccountId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_claim(&who, &operator)
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The reward pot: holds paid but unclaimed rewards (and the rounding dust).
	pub fn pot() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// The hold reason of `staker`'s position with `operator`.
	pub(crate) fn hold_reason(operator: &T::AccountId, staker: &T::AccountId) -> HoldReason {
		if operator == staker {
			HoldReason::OperatorBond
		} else {
			HoldReason::Delegation
		}
	}

	/// The current block.
	pub(crate) fn now() -> BlockNumberFor<T> {
		frame_system::Pallet::<T>::block_number()
	}

	/// Whether `info` may be assigned jobs and elected: active and bonded at least
	/// `MinSelfBond`.
	pub fn is_eligible(info: &OperatorInfo<T>) -> bool {
		info.status == OperatorStatus::Active && info.self_bond >= T::MinSelfBond::get()
	}

	/// Give the reward pot an existential deposit if it has none, so that payments of any
	/// size can be made into it. Called at genesis; mints (at most) one existential deposit.
	pub fn ensure_pot_exists() {
		use frame_support::traits::fungible::Inspect;
		let pot = Self::pot();
		let ed = T::Currency::minimum_balance();
		if T::Currency::balance(&pot) < ed {
			if let Err(e) = T::Currency::mint_into(&pot, ed) {
				log::error!(target: LOG_TARGET, "cannot endow the reward pot: {e:?}");
			}
		}
	}
}
