//! # Model registry
//!
//! Models are registered here before anyone can pay for an inference job on them.
//!
//! ## Ids: a model is a manifest under a spec
//!
//! A model is the engine's model *manifest* (its digest pins the weights' sha256, the
//! architecture and the output scale) run under a [`ModelSpec`]: limits, price, replication,
//! quorum, numerical contract, royalty and compute time. Its id is not chosen by the caller:
//! [`Pallet::register`] derives it as [`model_id`]`(manifest, spec)`, that is
//! `blake2_256(SCALE("verity/model/v1", manifest, spec))`. So
//!
//! - registering a popular manifest first takes nobody's id: the same weights under another
//!   spec (an honest royalty, a tight tolerance) get an id of their own, and registering them
//!   still succeeds; [`Error::ModelAlreadyRegistered`] means exactly this (manifest, spec) is
//!   registered already;
//! - whoever chooses a model id (a submitter, an operator declaring what it serves) chooses a
//!   manifest *and* the spec it runs under, both readable in [`Models`].
//!
//! The id binds the spec as registered. Of its fields only the price can change later
//! ([`Pallet::update_price`]); every other field is immutable.
//!
//! ## Spec bounds
//!
//! [`Pallet::register`] refuses a spec outside these bounds (see `spec.rs`):
//!
//! - input and output limits in `1..=MaxInputLen` and `1..=MaxOutputLen`; price at least
//!   `MinPrice`; replication in `1..=MaxReplication`; quorum at least `MinQuorum`; royalty at
//!   most `MaxRoyalty`; `compute_blocks` at most [`Config::MaxComputeBlocks`];
//! - the contract fits the architecture: `LlamaGguf` (greedy generation) only with
//!   `TokenMatch`; `TokenMatch` only for `LlamaGguf` or `Other` (a generator the engine knows by
//!   name); `Exact` for any architecture but `LlamaGguf`;
//! - `Tolerance { eps }` with `0 < eps <= MaxToleranceEps` ([`Config::MaxToleranceEps`]); a
//!   zero `eps` is `Exact` on fixed-point vectors and must be declared as such.
//!
//! The chain never reads a manifest, so it cannot check a spec against what the manifest says
//! (e.g. that `max_output_len` fits the engine's longest output, or the output scale that gives
//! `eps` its meaning). That binding is the id's: a spec that does not fit its manifest is a model
//! of its own that operators need not serve and submitters need not use.
//!
//! ## Lifecycle
//!
//! 1. [`Pallet::register`]: the caller becomes the model's *owner*, and
//!    [`Config::ModelDeposit`] is held from it under [`HoldReason::ModelDeposit`] for as long as
//!    the model exists.
//! 2. [`Pallet::update_price`], [`Pallet::set_status`] (active / deprecated),
//!    [`Pallet::transfer_ownership`] (the held deposit moves with the model).
//! 3. [`Pallet::deregister`]: only with no open job; releases the deposit.
//!
//! A deprecated model accepts no new job; open jobs run to completion, and price or ownership
//! changes never affect a job already submitted (the inference pallet snapshots what it needs).
//!
//! Governance ([`Config::ForceOrigin`], root in the runtime) removes squatters and poisoned
//! specs:
//!
//! - [`Pallet::force_deregister`] removes a model with no open job and forfeits its deposit.
//!   It is refused with [`Error::JobsOpen`] while a job is open, because the inference pallet
//!   still counts on the model for those jobs' settlement.
//! - [`Pallet::force_set_status`] deprecates a model *by force*: no new job can be submitted,
//!   the owner can neither reactivate nor deregister it (and so cannot take its deposit back),
//!   and the open jobs settle or expire by their deadlines. Then `force_deregister` succeeds.
//!   This is how governance removes a model whose owner keeps submitting jobs to keep it
//!   open. Forcing `Active` lifts the lock.
//!
//! ## Economics
//!
//! A job replicated on `k` operators costs `k × price`. The owner receives `royalty × fee` of
//! every settled job (see the inference pallet). The deposit is never slashed by the protocol:
//! [`Pallet::deregister`] returns it in full. [`Pallet::force_deregister`] forfeits it: the held
//! deposit is burned (total issuance falls by it), so squatting a manifest, or registering a
//! spec governance has to remove, costs at least `ModelDeposit`.
//!
//! ## Invariants (checked by `do_try_state`, see `integrity.rs`)
//!
//! - Every stored spec satisfies the bounds [`Pallet::register`] enforces.
//! - For every owner, the balance held under [`HoldReason::ModelDeposit`] equals the sum of
//!   the deposits of the models it owns, and no other account holds anything under that reason
//!   (no orphan hold).
//! - Every model in [`ForceDeprecated`] is registered and deprecated.
//!
//! `open_jobs` is kept by the inference pallet through [`ModelRegistry::job_opened`] and
//! [`ModelRegistry::job_closed`]; that it equals the open jobs that pallet stores is that
//! pallet's invariant to check.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(any(feature = "try-runtime", feature = "std", test))]
mod integrity;
#[cfg(test)]
mod mock;
mod registry;
mod spec;
#[cfg(test)]
mod tests;
mod types;
pub mod weights;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{InspectHold, Mutate, MutateHold},
		tokens::{Fortitude, Precision, Restriction},
	},
};
use frame_system::pallet_prelude::*;
use sp_runtime::Perbill;
use verity_primitives::{contract::NumericalContract, ModelId};

/// Log target of this pallet.
pub const LOG_TARGET: &str = "runtime::models";

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	/// The in-code storage version. v2: ids derived from (manifest, spec), `Models` keyed by
	/// `Blake2_128Concat`, `ModelInfo::manifest` and `ModelSpec::compute_blocks`. No migration
	/// from v1: no network holding v1 state is kept.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit a model owner leaves while the model is registered.
		ModelDeposit,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The native currency; deposits are holds on it.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ InspectHold<Self::AccountId>
			+ Mutate<Self::AccountId>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The origin that may force a model's status and force-deregister it, forfeiting its
		/// deposit.
		type ForceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The deposit held from a model's owner while the model is registered; forfeited when
		/// `ForceOrigin` removes the model.
		#[pallet::constant]
		type ModelDeposit: Get<BalanceOf<Self>>;

		/// The lowest price per replica a model may charge (keeps the job queue from being
		/// filled for free).
		#[pallet::constant]
		type MinPrice: Get<BalanceOf<Self>>;

		/// The longest job input any model may declare, in bytes.
		#[pallet::constant]
		type MaxInputLen: Get<u32>;

		/// The longest output any model may declare, in bytes.
		#[pallet::constant]
		type MaxOutputLen: Get<u32>;

		/// The largest replication a model or job may use. At most 32.
		#[pallet::constant]
		type MaxReplication: Get<u32>;

		/// The smallest quorum a model or job may use. Must exceed one half, so that two
		/// disjoint groups of operators can never both reach it.
		#[pallet::constant]
		type MinQuorum: Get<Perbill>;

		/// The largest royalty share an owner may take from a job's fee.
		#[pallet::constant]
		type MaxRoyalty: Get<Perbill>;

		/// The loosest `Tolerance { eps }` a model may declare, in fixed-point units of the
		/// model's output scale. Outputs within `eps` of each other agree, so `eps` bounds how
		/// far an output may stray from the honest one and still settle a job; with no bound,
		/// `eps = u32::MAX` makes every well-formed output agree. Must be positive.
		#[pallet::constant]
		type MaxToleranceEps: Get<u32>;

		/// The most `compute_blocks` a model may declare: how long the inference pallet may
		/// keep a job's commit window open for a slow model (and its fee in escrow).
		#[pallet::constant]
		type MaxComputeBlocks: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// The registered models, by id ([`model_id`] of their manifest and spec).
	// Blake2_128Concat: ids are chosen by callers (through the manifest and spec they hash).
	#[pallet::storage]
	pub type Models<T: Config> =
		StorageMap<_, Blake2_128Concat, ModelId, ModelInfoOf<T>, OptionQuery>;

	/// Models `ForceOrigin` deprecated: their owner can neither reactivate nor deregister
	/// them. An entry exists only for a registered, deprecated model.
	// Blake2_128Concat: ids are chosen by callers (through the manifest and spec they hash).
	#[pallet::storage]
	pub type ForceDeprecated<T: Config> = StorageMap<_, Blake2_128Concat, ModelId, (), OptionQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A model was registered.
		ModelRegistered {
			/// The model's id, `model_id(manifest, spec)`.
			model: ModelId,
			/// The digest of the engine manifest it runs.
			manifest: ModelId,
			/// Its owner.
			owner: T::AccountId,
			/// Its price per replica.
			price: BalanceOf<T>,
			/// How its outputs are compared.
			contract: NumericalContract,
			/// The deposit held from the owner.
			deposit: BalanceOf<T>,
		},
		/// A model's price per replica changed.
		PriceUpdated {
			/// The model's id.
			model: ModelId,
			/// The previous price.
			old_price: BalanceOf<T>,
			/// The new price.
			new_price: BalanceOf<T>,
		},
		/// The owner deprecated or reactivated a model.
		StatusChanged {
			/// The model's id.
			model: ModelId,
			/// Its new status.
			status: ModelStatus,
		},
		/// `ForceOrigin` set a model's status. While it is deprecated by force, the owner can
		/// neither reactivate nor deregister it.
		StatusForced {
			/// The model's id.
			model: ModelId,
			/// Its new status.
			status: ModelStatus,
		},
		/// A model changed hands; its deposit moved with it.
		OwnershipTransferred {
			/// The model's id.
			model: ModelId,
			/// The previous owner.
			from: T::AccountId,
			/// The new owner.
			to: T::AccountId,
		},
		/// A model was removed and its deposit returned.
		ModelDeregistered {
			/// The model's id.
			model: ModelId,
			/// The owner it was removed by.
			owner: T::AccountId,
			/// The deposit released to the owner.
			deposit_returned: BalanceOf<T>,
		},
		/// `ForceOrigin` removed a model; its owner's deposit was burned.
		ModelForceDeregistered {
			/// The model's id.
			model: ModelId,
			/// The owner it was taken from.
			owner: T::AccountId,
			/// The deposit burned.
			forfeited: BalanceOf<T>,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No model is registered under this id.
		ModelNotFound,
		/// This manifest is already registered under exactly this spec.
		ModelAlreadyRegistered,
		/// Only the model's owner may do this.
		NotOwner,
		/// The input limit is zero or above `MaxInputLen`.
		InvalidInputLimit,
		/// The output limit is zero or above `MaxOutputLen`.
		InvalidOutputLimit,
		/// The price is below `MinPrice`.
		PriceTooLow,
		/// The replication is zero or above `MaxReplication`.
		InvalidReplication,
		/// The quorum is below `MinQuorum`.
		QuorumTooLow,
		/// The royalty is above `MaxRoyalty`.
		RoyaltyTooHigh,
		/// The contract cannot compare this architecture's outputs: `LlamaGguf` needs
		/// `TokenMatch`, and `TokenMatch` fits only `LlamaGguf` or `Other`.
		ContractNotForArchitecture,
		/// The `Tolerance` contract's `eps` is above `MaxToleranceEps`.
		ToleranceTooLoose,
		/// The `Tolerance` contract's `eps` is zero; declare `Exact` instead.
		ZeroTolerance,
		/// `compute_blocks` is above `MaxComputeBlocks`.
		ComputeTooLong,
		/// The owner cannot afford the deposit.
		InsufficientDeposit,
		/// The model already has this status.
		StatusUnchanged,
		/// `ForceOrigin` deprecated the model; only it can reactivate or remove it.
		DeprecatedByForce,
		/// The new owner is the current owner.
		AlreadyOwner,
		/// The model still has open jobs.
		JobsOpen,
		/// Too many jobs are open for this model (the counter would overflow).
		TooManyOpenJobs,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxInputLen::get() > 0, "MaxInputLen must be positive");
			assert!(T::MaxOutputLen::get() > 0, "MaxOutputLen must be positive");
			assert!(
				(1..=32).contains(&T::MaxReplication::get()),
				"MaxReplication must be within 1..=32"
			);
			assert!(
				T::MinQuorum::get() > Perbill::from_percent(50),
				"MinQuorum must exceed one half"
			);
			assert!(T::MaxToleranceEps::get() > 0, "MaxToleranceEps must be positive");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register the engine manifest `manifest` under `spec`, owned by the caller. The
		/// model's id is [`model_id`]`(manifest, spec)` (see the crate docs).
		///
		/// Origin: signed; the caller becomes the owner and `ModelDeposit` is held from it.
		///
		/// Emits [`Event::ModelRegistered`].
		///
		/// ## Errors
		/// - [`Error::InvalidInputLimit`], [`Error::InvalidOutputLimit`],
		///   [`Error::PriceTooLow`], [`Error::InvalidReplication`], [`Error::QuorumTooLow`],
		///   [`Error::RoyaltyTooHigh`], [`Error::ContractNotForArchitecture`],
		///   [`Error::ToleranceTooLoose`], [`Error::ZeroTolerance`], [`Error::ComputeTooLong`]:
		///   `spec` is out of bounds.
		/// - [`Error::ModelAlreadyRegistered`]: `manifest` is registered under this very spec.
		/// - [`Error::InsufficientDeposit`]: the caller cannot afford the deposit.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register())]
		pub fn register(
			origin: OriginFor<T>,
			manifest: ModelId,
			spec: ModelSpecOf<T>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_register(owner, manifest, spec).map(|_| ())
		}

		/// Change the price per replica of `model`. Jobs already submitted keep their fee.
		///
		/// Origin: signed by the owner.
		///
		/// Emits [`Event::PriceUpdated`].
		///
		/// ## Errors
		/// - [`Error::ModelNotFound`], [`Error::NotOwner`].
		/// - [`Error::PriceTooLow`]: `new_price` is below `MinPrice`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update_price())]
		pub fn update_price(
			origin: OriginFor<T>,
			model: ModelId,
			new_price: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut info = Self::owned_model(&model, &who)?;
			ensure!(new_price >= T::MinPrice::get(), Error::<T>::PriceTooLow);
			let old_price = core::mem::replace(&mut info.spec.price, new_price);
			Models::<T>::insert(model, info);
			Self::deposit_event(Event::PriceUpdated { model, old_price, new_price });
			Ok(())
		}

		/// Deprecate `model` (no new jobs) or reactivate it.
		///
		/// Origin: signed by the owner.
		///
		/// Emits [`Event::StatusChanged`].
		///
		/// ## Errors
		/// - [`Error::ModelNotFound`], [`Error::NotOwner`].
		/// - [`Error::StatusUnchanged`]: the model already has `status`.
		/// - [`Error::DeprecatedByForce`]: `ForceOrigin` deprecated the model.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_status())]
		pub fn set_status(
			origin: OriginFor<T>,
			model: ModelId,
			status: ModelStatus,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut info = Self::owned_model(&model, &who)?;
			ensure!(info.status != status, Error::<T>::StatusUnchanged);
			ensure!(!ForceDeprecated::<T>::contains_key(model), Error::<T>::DeprecatedByForce);
			info.status = status;
			Models::<T>::insert(model, info);
			Self::deposit_event(Event::StatusChanged { model, status });
			Ok(())
		}

		/// Hand `model` to `new_owner`. The held deposit moves to `new_owner` (still held), who
		/// from now on receives the royalty and gets the deposit back on deregistration.
		///
		/// Origin: signed by the owner.
		///
		/// Emits [`Event::OwnershipTransferred`].
		///
		/// ## Errors
		/// - [`Error::ModelNotFound`], [`Error::NotOwner`].
		/// - [`Error::AlreadyOwner`]: `new_owner` already owns it.
		/// - A token error when the deposit cannot be moved (e.g. `new_owner` does not exist).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::transfer_ownership())]
		pub fn transfer_ownership(
			origin: OriginFor<T>,
			model: ModelId,
			new_owner: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut info = Self::owned_model(&model, &who)?;
			ensure!(new_owner != who, Error::<T>::AlreadyOwner);
			T::Currency::transfer_on_hold(
				&HoldReason::ModelDeposit.into(),
				&who,
				&new_owner,
				info.deposit,
				Precision::Exact,
				Restriction::OnHold,
				Fortitude::Polite,
			)?;
			info.owner = new_owner.clone();
			Models::<T>::insert(model, info);
			Self::deposit_event(Event::OwnershipTransferred { model, from: who, to: new_owner });
			Ok(())
		}

		/// Remove `model` and release its deposit to the owner.
		///
		/// Origin: signed by the owner.
		///
		/// Emits [`Event::ModelDeregistered`].
		///
		/// ## Errors
		/// - [`Error::ModelNotFound`], [`Error::NotOwner`].
		/// - [`Error::DeprecatedByForce`]: `ForceOrigin` deprecated the model; only it can
		///   remove it.
		/// - [`Error::JobsOpen`]: a job for the model is still open.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::deregister())]
		pub fn deregister(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let info = Self::owned_model(&model, &who)?;
			ensure!(!ForceDeprecated::<T>::contains_key(model), Error::<T>::DeprecatedByForce);
			ensure!(info.open_jobs == 0, Error::<T>::JobsOpen);
			let deposit_returned = T::Currency::release(
				&HoldReason::ModelDeposit.into(),
				&who,
				info.deposit,
				Precision::BestEffort,
			)?;
			Models::<T>::remove(model);
			Self::deposit_event(Event::ModelDeregistered { model, owner: who, deposit_returned });
			Ok(())
		}

		/// Remove `model` and burn its owner's deposit: how governance removes a squatter or a
		/// poisoned spec. A model with open jobs cannot be removed; deprecate it first with
		/// [`Pallet::force_set_status`] and wait for them to close.
		///
		/// Origin: `ForceOrigin`.
		///
		/// Emits [`Event::ModelForceDeregistered`].
		///
		/// ## Errors
		/// - [`Error::ModelNotFound`].
		/// - [`Error::JobsOpen`]: a job for the model is still open.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::force_deregister())]
		pub fn force_deregister(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			T::ForceOrigin::ensure_origin(origin)?;
			let info = Models::<T>::get(model).ok_or(Error::<T>::ModelNotFound)?;
			ensure!(info.open_jobs == 0, Error::<T>::JobsOpen);
			let forfeited = T::Currency::burn_held(
				&HoldReason::ModelDeposit.into(),
				&info.owner,
				info.deposit,
				Precision::BestEffort,
				Fortitude::Force,
			)?;
			Models::<T>::remove(model);
			ForceDeprecated::<T>::remove(model);
			Self::deposit_event(Event::ModelForceDeregistered {
				model,
				owner: info.owner,
				forfeited,
			});
			Ok(())
		}

		/// Set the status of `model` by force. `Deprecated` stops new jobs and locks the model:
		/// its owner can neither reactivate nor deregister it (it keeps its deposit held for
		/// [`Pallet::force_deregister`]). `Active` reactivates it and lifts the lock. Forcing
		/// `Deprecated` on a model its owner deprecated adds the lock.
		///
		/// Origin: `ForceOrigin`.
		///
		/// Emits [`Event::StatusForced`].
		///
		/// ## Errors
		/// - [`Error::ModelNotFound`].
		/// - [`Error::StatusUnchanged`]: the model already has `status`, locked when
		///   `Deprecated`, unlocked when `Active`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::force_set_status())]
		pub fn force_set_status(
			origin: OriginFor<T>,
			model: ModelId,
			status: ModelStatus,
		) -> DispatchResult {
			T::ForceOrigin::ensure_origin(origin)?;
			let mut info = Models::<T>::get(model).ok_or(Error::<T>::ModelNotFound)?;
			let lock = status == ModelStatus::Deprecated;
			ensure!(
				info.status != status || ForceDeprecated::<T>::contains_key(model) != lock,
				Error::<T>::StatusUnchanged
			);
			info.status = status;
			Models::<T>::insert(model, info);
			if lock {
				ForceDeprecated::<T>::insert(model, ());
			} else {
				ForceDeprecated::<T>::remove(model);
			}
			Self::deposit_event(Event::StatusForced { model, status });
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The model `id` if `who` owns it.
	fn owned_model(id: &ModelId, who: &T::AccountId) -> Result<ModelInfoOf<T>, DispatchError> {
		let info = Models::<T>::get(id).ok_or(Error::<T>::ModelNotFound)?;
		ensure!(&info.owner == who, Error::<T>::NotOwner);
		Ok(info)
	}

	/// [`Pallet::register`] for `owner`; returns the new model's id.
	fn do_register(
		owner: T::AccountId,
		manifest: ModelId,
		spec: ModelSpecOf<T>,
	) -> Result<ModelId, DispatchError> {
		Self::ensure_valid_spec(&spec)?;
		let model = model_id(&manifest, &spec);
		ensure!(!Models::<T>::contains_key(model), Error::<T>::ModelAlreadyRegistered);
		let deposit = T::ModelDeposit::get();
		T::Currency::hold(&HoldReason::ModelDeposit.into(), &owner, deposit)
			.map_err(|_| Error::<T>::InsufficientDeposit)?;
		let price = spec.price;
		let contract = spec.contract;
		Models::<T>::insert(
			model,
			ModelInfo {
				manifest,
				owner: owner.clone(),
				spec,
				deposit,
				status: ModelStatus::Active,
				open_jobs: 0,
				registered_at: frame_system::Pallet::<T>::block_number(),
			},
		);
		Self::deposit_event(Event::ModelRegistered {
			model,
			manifest,
			owner,
			price,
			contract,
			deposit,
		});
		Ok(model)
	}
}
