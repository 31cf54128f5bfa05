//! # Model registry
//!
//! Models are registered here before anyone can pay for an inference job on them.
//!
//! ## Lifecycle
//!
//! 1. [`Pallet::register`]: the caller becomes the model's *owner*. The model id is the digest
//!    of the engine's model manifest, which pins the weights' sha256, so an id names exactly one
//!    set of weights. The owner declares a [`ModelSpec`]: architecture, input and output limits,
//!    price per replica, default replication and quorum, the numerical contract that compares
//!    outputs, and a royalty share. [`Config::ModelDeposit`] is held from the owner under
//!    [`HoldReason::ModelDeposit`] for as long as the model exists.
//! 2. [`Pallet::update_price`], [`Pallet::set_status`] (active / deprecated),
//!    [`Pallet::transfer_ownership`] (the held deposit moves with the model).
//! 3. [`Pallet::deregister`]: only with no open job; releases the deposit.
//!
//! A deprecated model accepts no new job; open jobs run to completion, and price or ownership
//! changes never affect a job already submitted (the inference pallet snapshots what it needs).
//!
//! ## Economics
//!
//! A job replicated on `k` operators costs `k × price`. The owner receives `royalty × fee` of
//! every settled job (see the inference pallet). The deposit is never slashed.
//!
//! ## Invariants (checked by `do_try_state`)
//!
//! - For every owner, the balance held under [`HoldReason::ModelDeposit`] equals the sum of
//!   the deposits of the models it owns.
//! - Every stored spec satisfies the bounds [`Pallet::register`] enforces.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
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

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

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

		/// The deposit held from a model's owner while the model is registered.
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

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// The registered models, by id.
	#[pallet::storage]
	pub type Models<T: Config> = StorageMap<_, Identity, ModelId, ModelInfoOf<T>, OptionQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A model was registered.
		ModelRegistered {
			/// The model's id.
			model: ModelId,
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
		/// A model was deprecated or reactivated.
		StatusChanged {
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
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No model is registered under this id.
		ModelNotFound,
		/// A model is already registered under this id.
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
		/// The owner cannot afford the deposit.
		InsufficientDeposit,
		/// The model already has this status.
		StatusUnchanged,
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
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register a model under `model`, owned by the caller.
		///
		/// Origin: signed; the caller becomes the owner and `ModelDeposit` is held from it.
		///
		/// Emits [`Event::ModelRegistered`].
		///
		/// ## Errors
		/// - [`Error::ModelAlreadyRegistered`]: `model` is taken.
		/// - [`Error::InvalidInputLimit`], [`Error::InvalidOutputLimit`],
		///   [`Error::PriceTooLow`], [`Error::InvalidReplication`], [`Error::QuorumTooLow`],
		///   [`Error::RoyaltyTooHigh`]: `spec` is out of bounds.
		/// - [`Error::InsufficientDeposit`]: the caller cannot afford the deposit.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register())]
		pub fn register(
			origin: OriginFor<T>,
			model: ModelId,
			spec: ModelSpecOf<T>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			ensure!(!Models::<T>::contains_key(model), Error::<T>::ModelAlreadyRegistered);
			Self::ensure_valid_spec(&spec)?;
			let deposit = T::ModelDeposit::get();
			T::Currency::hold(&HoldReason::ModelDeposit.into(), &owner, deposit)
				.map_err(|_| Error::<T>::InsufficientDeposit)?;
			let price = spec.price;
			let contract = spec.contract;
			Models::<T>::insert(
				model,
				ModelInfo {
					owner: owner.clone(),
					spec,
					deposit,
					status: ModelStatus::Active,
					open_jobs: 0,
					registered_at: frame_system::Pallet::<T>::block_number(),
				},
			);
			Self::deposit_event(Event::ModelRegistered { model, owner, price, contract, deposit });
			Ok(())
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
		/// - [`Error::JobsOpen`]: a job for the model is still open.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::deregister())]
		pub fn deregister(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let info = Self::owned_model(&model, &who)?;
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
	}
}

impl<T: Config> Pallet<T> {
	/// The model `id` if `who` owns it.
	fn owned_model(id: &ModelId, who: &T::AccountId) -> Result<ModelInfoOf<T>, DispatchError> {
		let info = Models::<T>::get(id).ok_or(Error::<T>::ModelNotFound)?;
		ensure!(&info.owner == who, Error::<T>::NotOwner);
		Ok(info)
	}

	/// Check a spec against the configured bounds.
	pub fn ensure_valid_spec(spec: &ModelSpecOf<T>) -> DispatchResult {
		ensure!(
			(1..=T::MaxInputLen::get()).contains(&spec.max_input_len),
			Error::<T>::InvalidInputLimit
		);
		ensure!(
			(1..=T::MaxOutputLen::get()).contains(&spec.max_output_len),
			Error::<T>::InvalidOutputLimit
		);
		ensure!(spec.price >= T::MinPrice::get(), Error::<T>::PriceTooLow);
		ensure!(
			(1..=T::MaxReplication::get()).contains(&spec.replication),
			Error::<T>::InvalidReplication
		);
		ensure!(spec.quorum >= T::MinQuorum::get(), Error::<T>::QuorumTooLow);
		ensure!(spec.royalty <= T::MaxRoyalty::get(), Error::<T>::RoyaltyTooHigh);
		Ok(())
	}

	/// Check the pallet's invariants (see the crate docs).
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		use sp_runtime::Saturating;

		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (id, info) in Models::<T>::iter() {
			Self::ensure_valid_spec(&info.spec).map_err(|e| {
				log::error!(target: LOG_TARGET, "model {id:?} has an invalid spec: {e:?}");
				"stored model spec out of bounds"
			})?;
			deposits.entry(info.owner.clone()).or_default().saturating_accrue(info.deposit);
		}
		for (owner, expected) in deposits {
			let held = T::Currency::balance_on_hold(&HoldReason::ModelDeposit.into(), &owner);
			ensure!(held == expected, "held model deposits differ from registered deposits");
		}
		Ok(())
	}
}

impl<T: Config> ModelRegistry<T::AccountId, BalanceOf<T>> for Pallet<T> {
	type MaxInputLen = T::MaxInputLen;
	type MaxOutputLen = T::MaxOutputLen;
	type MaxReplication = T::MaxReplication;
	type BlockNumber = BlockNumberFor<T>;

	fn model(id: &ModelId) -> Option<ModelInfoOf<T>> {
		Models::<T>::get(id)
	}

	fn min_quorum() -> Perbill {
		T::MinQuorum::get()
	}

	fn max_royalty() -> Perbill {
		T::MaxRoyalty::get()
	}

	fn job_opened(id: &ModelId) -> DispatchResult {
		Models::<T>::try_mutate(id, |maybe| {
			let info = maybe.as_mut().ok_or(Error::<T>::ModelNotFound)?;
			info.open_jobs = info.open_jobs.checked_add(1).ok_or(Error::<T>::TooManyOpenJobs)?;
			Ok(())
		})
	}

	fn job_closed(id: &ModelId) {
		Models::<T>::mutate(id, |maybe| match maybe.as_mut() {
			Some(info) if info.open_jobs > 0 => info.open_jobs = info.open_jobs.saturating_sub(1),
			_ => {
				frame_support::defensive!("closing a job of a model with no open job");
			}
		});
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn register_for_benchmark(
		owner: &T::AccountId,
		id: ModelId,
		spec: ModelSpecOf<T>,
	) -> DispatchResult {
		use frame_support::traits::fungible::Inspect;
		use sp_runtime::Saturating;
		let deposit = T::ModelDeposit::get();
		let funds =
			deposit.saturating_add(T::Currency::minimum_balance()).saturating_mul(2u32.into());
		if T::Currency::balance(owner) < funds {
			T::Currency::set_balance(owner, funds);
		}
		Self::register(frame_system::RawOrigin::Signed(owner.clone()).into(), id, spec)
	}
}
