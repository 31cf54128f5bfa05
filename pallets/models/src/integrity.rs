//! The pallet's invariants (listed in the crate docs), checked by `try_state` and after every
//! unit test.

use crate::{
	BalanceOf, Config, ForceDeprecated, HoldReason, ModelStatus, Models, Pallet, LOG_TARGET,
};
use alloc::collections::btree_map::BTreeMap;
use frame_support::{ensure, traits::fungible::InspectHold};
use sp_runtime::{traits::Zero, Saturating, TryRuntimeError};

impl<T: Config> Pallet<T> {
	/// Check the pallet's invariants (see the crate docs).
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let reason = HoldReason::ModelDeposit.into();

		// Every stored spec is within bounds; collect the deposits each owner should hold.
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (id, info) in Models::<T>::iter() {
			Self::ensure_valid_spec(&info.spec).map_err(|e| {
				log::error!(target: LOG_TARGET, "model {id:?} has an invalid spec: {e:?}");
				"stored model spec out of bounds"
			})?;
			deposits.entry(info.owner.clone()).or_default().saturating_accrue(info.deposit);
		}

		// Every owner holds exactly its models' deposits...
		for (owner, expected) in &deposits {
			let held = T::Currency::balance_on_hold(&reason, owner);
			ensure!(held == *expected, "held model deposits differ from registered deposits");
		}
		// ... and no other account holds a model deposit (no orphan hold).
		for who in frame_system::Account::<T>::iter_keys() {
			if !deposits.contains_key(&who) {
				let held = T::Currency::balance_on_hold(&reason, &who);
				ensure!(held.is_zero(), "an account without a model holds a model deposit");
			}
		}

		// Only registered, deprecated models are locked by force.
		for id in ForceDeprecated::<T>::iter_keys() {
			let info = Models::<T>::get(id).ok_or("a force-deprecated model is not registered")?;
			ensure!(
				info.status == ModelStatus::Deprecated,
				"a force-deprecated model is not deprecated"
			);
		}
		Ok(())
	}
}
