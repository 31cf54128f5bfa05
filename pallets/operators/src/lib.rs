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
//!   `MaxDelegatorsPerOperator` per operator: a counter, since nothing iterates an operator's
//!   delegators), [`Pallet::undelegate`] into an unbonding queue,
//!   [`Pallet::withdraw_unbonded`] after `UnbondingPeriod` blocks, [`Pallet::redelegate`].
//!   An account may delegate to any number of operators; each (operator, staker) pair is one
//!   [`Stakes`] position. The operator's own bond is its position with itself.
//! - **Unbonding**: unbonding stake earns nothing, does not count as stake at risk (it gives
//!   no draw or vote weight), and stays held *and slashable until it is withdrawn*. A redelegation is an unbonding chunk tagged with its target: it stays
//!   slashable by the old operator for the whole period and is delegated to the new one when
//!   withdrawn, never becoming free in between. (An instant redelegation would let a delegator
//!   escape a slash it can see coming, e.g. after its operator revealed a dissenting output.)
//!
//! ## Stake at risk
//!
//! What the inference pallet draws and weighs votes by ([`OperatorProvider::operators_serving`],
//! [`OperatorProvider::stake_of`]) is the operator's *stake at risk*: its own active bond plus
//! its active delegations. Unbonding stake is left out, since it could be withdrawn before a
//! job assigned now is settled and its slash applied. Active stake cannot: unbonding it takes
//! `UnbondingPeriod`, and the runtime keeps `UnbondingPeriod > MaxJobDuration +
//! SlashDeferDuration` (this pallet checks `UnbondingPeriod > SlashDeferDuration` and exposes
//! the longest safe job as the constant `MaxSafeJobDuration`).
//!
//! ## Rewards
//!
//! [`OperatorProvider::reward`] moves the payment from the payer's free balance into the
//! pallet's reward pot (`PalletId`'s account). The operator's commission is credited to its own
//! position; the rest raises the operator's reward accumulator
//! `reward_per_stake += rest × slash_factor / active_stake` — O(1) in the number of delegators
//! (the accumulator counts reward per unit of unslashed stake, see Slashing). A position stored
//! as `active` at slash factor `f₀` is owed `active × (reward_per_stake −
//! reward_per_stake_paid) / f₀`, rounded down, exactly however rewards and slashes interleaved;
//! it is settled (moved to `unclaimed`) before any change of its stake and paid by
//! [`Pallet::claim`] and, best effort, by every call that changes the caller's stake
//! (auto-claim). Rounding dust stays in the pot. Unbonding stake does not earn. With no active
//! stake at all the whole reward goes to the operator's own position (refused with
//! [`Error::NoActiveStake`] once that is gone too). The pot is endowed with one existential
//! deposit at genesis, so payments of any size can land in it.
//!
//! ## Slashing
//!
//! Reported, deferred, once per span, O(1) in delegators (details in `slashing.rs`):
//!
//! - **Report.** [`OperatorProvider::report_offence`] touches no balance. It computes `fraction
//!   × exposure`, the exposure being the operator's stake at risk when the job was assigned
//!   (passed in by the inference pallet). New stake can therefore only *dilute* a slash — it
//!   takes a pro rata share of a fixed amount — never enlarge it; and the amount is capped by
//!   what the operator's positions hold when it is applied.
//! - **Spans.** Within one span of `SlashSpanLength` blocks an operator loses at most the
//!   largest amount reported for it in that span, not the sum ([`SlashSpans`]): a report
//!   schedules only what exceeds the span's largest so far, and returns that. One incident (an
//!   outage silent in 50 jobs, a nondeterminism bug) is slashed once.
//! - **Deferral.** The amount waits `SlashDeferDuration` blocks in [`DeferredSlashes`]
//!   ([`Event::SlashReported`]). `CancelOrigin` may cancel it with
//!   [`Pallet::cancel_deferred_slash`] ([`Event::SlashCancelled`]). `on_initialize` applies
//!   due slashes under a weight meter (`SlashAgendaWeight`), resuming from
//!   [`SlashAgendaCursor`] when a block did not finish ([`Event::Slashed`]).
//! - **Application, O(1).** A slash of `amount` out of the operator's `total` (active and
//!   unbonding) multiplies its slash factor by `(total − amount) / total` and scales its totals
//!   alike; no position is read. Each position remembers the factor it last synced at and is
//!   brought up to date lazily whenever it is touched (bond, unbond, delegate, undelegate,
//!   redelegate, withdraw, claim): rewards are settled first, then its active stake and each
//!   unbonding chunk shrink by `factor / factor_synced`, and the difference is slashed from its
//!   hold and handed to `OnSlash` (`()` burns; `ResolveTo<TreasuryAccount, _>` pays a
//!   treasury) right then. `OnSlash` thus receives each slash piecemeal, as positions sync;
//!   until then the slashed stake stays held, and every way out of a position syncs it first,
//!   so nothing escapes. [`OperatorInfo::untaken`] counts what was slashed from the totals
//!   but not yet from the holds.
//! - **Rounding** favours the network: positions round down, totals up (the dust leaves the
//!   totals as positions sync). A factor below [`MIN_SLASH_FACTOR`] becomes zero: a full
//!   slash. The operator is then *slashed out* ([`Error::SlashedOut`]): it takes no new stake,
//!   its emptied positions can be withdrawn at once, and it may register again once they are.
//!
//! ## Bounded indexes
//!
//! A model's operator list (`MaxOperatorsPerModel`) evicts: declaring a full model evicts the
//! declared operator with the least stake at risk (ineligible ones count as zero) if the
//! newcomer has strictly more ([`Event::EvictedFromModel`]), and fails with
//! [`Error::ModelFull`] otherwise, so squatting a model costs more stake than anyone who wants
//! to serve it. `MaxOperators` does not evict (that would force-unbond a whole operator and its
//! delegators); the runtime sets it well above the expected number of operators.
//! `MaxDelegatorsPerOperator` is a plain counter and can be large (10 000 in the runtime).
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
//! - For every account — every key of `frame_system::Account`, so a hold with no position is
//!   caught too — the balance held under [`HoldReason::OperatorBond`] equals its own operator
//!   position as stored (active + unbonding), and under [`HoldReason::Delegation`] the sum of
//!   its delegations as stored. (Stored amounts include slashes not yet synced: the hold is cut
//!   when the position syncs.)
//! - For every operator, each total plus its untaken slash equals the sum of the stored
//!   positions (`self_bond + untaken.own`, `delegated + untaken.delegated`, `unbonding +
//!   untaken.unbonding`), and each total is at least what the positions are worth at the
//!   current slash factor. `delegators` counts its delegations; every position belongs to a
//!   registered operator and synced at a factor no lower than the operator's; an operator that
//!   is not leaving has its own position; the slash factor is zero or within
//!   `[MIN_SLASH_FACTOR, SLASH_FACTOR_ONE]`.
//! - No position's reward debt exceeds its accrued rewards
//!   (`reward_per_stake_paid ≤ reward_per_stake`), and the pot holds at least every unpaid and
//!   pending reward.
//! - [`ModelOperators`] is exactly the index of the models of the operators that are not
//!   leaving; the counter of [`Operators`] matches its entries.
//! - Every deferred slash is non-zero, at most one per operator in a block, and due after the
//!   current block or at/after the agenda cursor; every slashing span belongs to a registered
//!   operator and is not in the future.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod migrations;
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
	weights::WeightMeter,
	PalletId,
};
use frame_system::pallet_prelude::*;
use sp_runtime::{
	traits::{AccountIdConversion, One, Zero},
	Perbill, Saturating,
};
use verity_primitives::{operators::Offence, ModelId};

/// Log target of this pallet.
pub const LOG_TARGET: &str = "runtime::operators";

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

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

		/// The most delegator positions one operator may have. Only a counter: nothing
		/// iterates an operator's delegators (a slash is O(1) in them), so the bound can be
		/// large; `MinDelegation` makes filling it costly.
		#[pallet::constant]
		type MaxDelegatorsPerOperator: Get<u32>;

		/// The most registered operators (bounds the validator selection and one block of
		/// deferred slashes). Registering when full fails with [`Error::TooManyOperators`];
		/// no operator is evicted, since that would force-unbond its stake and its delegators'
		/// (so keep the bound well above the number of operators expected, with `MinSelfBond`
		/// making it costly to fill).
		#[pallet::constant]
		type MaxOperators: Get<u32>;

		/// The most models one operator may declare.
		#[pallet::constant]
		type MaxModelsPerOperator: Get<u32>;

		/// The most operators that may declare one model; also the provider's `MaxServing`.
		/// Declaring a full model evicts the declared operator with the least stake at risk
		/// if the newcomer has more ([`Event::EvictedFromModel`]).
		#[pallet::constant]
		type MaxOperatorsPerModel: Get<u32>;

		/// How many blocks a reported slash waits before it is applied, so that
		/// `CancelOrigin` can cancel it. At least 1. The runtime must keep
		/// `UnbondingPeriod > MaxJobDuration + SlashDeferDuration` (see
		/// [`Pallet::max_safe_job_duration`]), so that stake active when a job is assigned is
		/// still held when the job's slash is applied.
		#[pallet::constant]
		type SlashDeferDuration: Get<BlockNumberFor<Self>>;

		/// The length in blocks of a slashing span: within one span an operator loses at most
		/// the largest amount reported for it, however many reports there are. At least 1.
		#[pallet::constant]
		type SlashSpanLength: Get<BlockNumberFor<Self>>;

		/// Who may cancel a deferred slash.
		type CancelOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The most weight `on_initialize` spends applying deferred slashes in one block; the
		/// rest waits for the next block.
		#[pallet::constant]
		type SlashAgendaWeight: Get<Weight>;

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

	/// The slashes waiting for their deferral, by the block they apply in; at most one entry
	/// per operator in a block. (Twox: the key is a block number no caller chooses.)
	#[pallet::storage]
	pub type DeferredSlashes<T: Config> =
		StorageMap<_, Twox64Concat, BlockNumberFor<T>, DeferredSlashesOf<T>, ValueQuery>;

	/// The first block of [`DeferredSlashes`] that may still hold due slashes, when
	/// `on_initialize` ran out of weight; none means the current block.
	#[pallet::storage]
	pub type SlashAgendaCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, OptionQuery>;

	/// The slashing span each operator was last reported in, with the largest amount reported
	/// in it. (Blake2: operator accounts are chosen by callers.)
	#[pallet::storage]
	pub type SlashSpans<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, SlashSpan<T>, OptionQuery>;

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
		/// An offence was reported and a slash scheduled (or found covered by the span).
		SlashReported {
			/// The operator.
			operator: T::AccountId,
			/// The job.
			job: verity_primitives::JobId,
			/// What it did.
			offence: Offence,
			/// The amount newly scheduled: what the report adds to the largest amount already
			/// reported in the operator's current span (zero when that covers it, and then
			/// nothing is scheduled).
			amount: BalanceOf<T>,
			/// The block the slash applies in, unless cancelled (with the operator, the key to
			/// cancel it by).
			apply_at: BlockNumberFor<T>,
		},
		/// A deferred slash was cancelled; nothing was taken.
		SlashCancelled {
			/// The operator.
			operator: T::AccountId,
			/// The job of the first report merged into the slash.
			job: verity_primitives::JobId,
			/// Its offence.
			offence: Offence,
			/// The amount that would have been slashed.
			amount: BalanceOf<T>,
			/// The block it would have applied in.
			apply_at: BlockNumberFor<T>,
		},
		/// A deferred slash was applied to the stake behind an operator: its totals fell and
		/// every position loses the same share, taken from the holds as positions sync.
		Slashed {
			/// The operator.
			operator: T::AccountId,
			/// The job of the first report merged into the slash.
			job: verity_primitives::JobId,
			/// Its offence.
			offence: Offence,
			/// The amount taken off the operator's stake (capped by what it held).
			amount: BalanceOf<T>,
			/// Of which from the operator's own active bond.
			own: BalanceOf<T>,
			/// Of which from active delegations.
			delegated: BalanceOf<T>,
			/// Of which from unbonding stake (own and delegated).
			unbonding: BalanceOf<T>,
		},
		/// An operator lost its place in a full model's index to one with more stake at risk.
		EvictedFromModel {
			/// The operator evicted.
			operator: T::AccountId,
			/// The model.
			model: ModelId,
			/// The operator that took its place.
			by: T::AccountId,
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
		/// The operator was slashed out (a full slash): it takes no new stake. It can
		/// deregister and register again once its positions are withdrawn.
		SlashedOut,
		/// No deferred slash of this operator applies in that block.
		SlashNotFound,
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

	#[pallet::extra_constants]
	impl<T: Config> Pallet<T> {
		/// The longest a job may run (assignment to settlement) for its slash to reach all the
		/// stake that was at risk when it was assigned: `UnbondingPeriod − SlashDeferDuration
		/// − 1`. The runtime checks `MaxJobDuration` against it.
		#[pallet::constant_name(MaxSafeJobDuration)]
		pub fn max_safe_job_duration() -> BlockNumberFor<T> {
			T::UnbondingPeriod::get()
				.saturating_sub(T::SlashDeferDuration::get())
				.saturating_sub(One::one())
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Apply the deferred slashes due, under the `SlashAgendaWeight` meter.
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let mut meter = WeightMeter::with_limit(T::SlashAgendaWeight::get());
			Self::service_slash_agenda(now, &mut meter);
			meter.consumed()
		}

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
			assert!(!T::SlashDeferDuration::get().is_zero(), "SlashDeferDuration must be positive");
			assert!(!T::SlashSpanLength::get().is_zero(), "SlashSpanLength must be positive");
			assert!(
				T::UnbondingPeriod::get() > T::SlashDeferDuration::get(),
				"UnbondingPeriod must exceed SlashDeferDuration, or stake escapes its slashes"
			);
			// The agenda must make progress every block: one block visit plus one slash fit
			// its budget, and the budget fits in a block with room for everything else.
			let step = Self::slash_agenda_block_weight().saturating_add(Self::apply_slash_weight());
			let budget = T::SlashAgendaWeight::get();
			let max = T::BlockWeights::get().max_block;
			assert!(
				step.all_lte(budget),
				"one deferred slash ({step}) must fit the slash agenda's budget ({budget})"
			);
			assert!(
				budget.all_lte(max / 2),
				"the slash agenda's budget ({budget}) must fit in half a block ({max})"
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
		/// Emits [`Event::OperatorRegistered`], and [`Event::EvictedFromModel`] for each full
		/// model whose smallest operator (by stake at risk) has less than `self_bond`.
		///
		/// ## Errors
		/// - [`Error::AlreadyRegistered`]: the caller is an operator (or still leaving).
		/// - [`Error::BondTooLow`]: `self_bond` is below `MinSelfBond`.
		/// - [`Error::CommissionTooHigh`]: `commission` is above `MaxCommission`.
		/// - [`Error::TooManyOperators`]: `MaxOperators` are registered.
		/// - [`Error::DuplicateModel`], [`Error::ModelFull`]: `models` cannot be indexed (a
		///   full model whose smallest operator has at least `self_bond` at risk).
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
		/// - [`Error::SlashedOut`]: a full slash ended the operator.
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

		/// Replace the models the caller serves. Jobs already assigned are unaffected. Declaring
		/// a full model evicts its operator with the least stake at risk if the caller (when
		/// eligible) has more.
		///
		/// Origin: signed by an operator.
		///
		/// Emits [`Event::ModelsSet`] and [`Event::EvictedFromModel`].
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
		/// - [`Error::SlashedOut`]: a full slash ended the operator.
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
		/// - [`Error::NothingToWithdraw`]: no chunk has unlocked (and the position was not
		///   emptied by a full slash, which lets it be withdrawn at once).
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
		/// - [`Error::NotOperator`], [`Error::OperatorLeaving`], [`Error::SlashedOut`]: `to`
		///   cannot take stake.
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

		/// Cancel the deferred slash of `operator` that applies in block `apply_at` (as named
		/// by [`Event::SlashReported`]); nothing is taken. The cancelled amount still counts
		/// as reported in its span, so later reports of the same incident in the span
		/// schedule only what exceeds it.
		///
		/// Origin: `CancelOrigin` (root in the runtime).
		///
		/// Emits [`Event::SlashCancelled`].
		///
		/// ## Errors
		/// - `BadOrigin`: not `CancelOrigin`.
		/// - [`Error::SlashNotFound`]: no slash of `operator` is due in `apply_at` (never
		///   scheduled, already applied or cancelled).
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::cancel_deferred_slash())]
		pub fn cancel_deferred_slash(
			origin: OriginFor<T>,
			operator: T::AccountId,
			apply_at: BlockNumberFor<T>,
		) -> DispatchResult {
			Self::do_cancel_deferred_slash(origin, operator, apply_at)
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
