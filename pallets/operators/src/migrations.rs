//! Storage migrations.
//!
//! **v1 → v2** (deferred, O(1) slashing): [`OperatorInfo`] gains `slash_factor` and `untaken`,
//! [`StakeInfo`] gains `slash_factor_synced`. Nothing has been slashed under the new scheme,
//! so every factor starts at [`SLASH_FACTOR_ONE`] and nothing is untaken; the accumulator's
//! meaning is unchanged at that factor. The deferred-slash agenda and spans start empty.
//! The runtime adds [`v2::MigrateV1ToV2`] to its migrations.

use crate::*;
use frame_support::{migrations::VersionedMigration, traits::UncheckedOnRuntimeUpgrade};

/// The v1 layouts.
pub mod v1 {
	#![allow(missing_docs)]
	use super::*;

	/// [`OperatorInfo`] before v2 (fields as there).
	#[derive(Encode, Decode)]
	pub struct OperatorInfoV1<T: Config> {
		pub status: OperatorStatus,
		pub commission: Perbill,
		pub pending_commission: Option<CommissionChange<BlockNumberFor<T>>>,
		pub models: ModelsOf<T>,
		pub self_bond: BalanceOf<T>,
		pub delegated: BalanceOf<T>,
		pub unbonding: BalanceOf<T>,
		pub delegators: u32,
		pub reward_per_stake: u128,
		pub registered_at: BlockNumberFor<T>,
	}

	/// [`StakeInfo`] before v2 (fields as there).
	#[derive(Encode, Decode)]
	pub struct StakeInfoV1<T: Config> {
		pub active: BalanceOf<T>,
		pub unbonding: UnbondingOf<T>,
		pub reward_per_stake_paid: u128,
		pub unclaimed: BalanceOf<T>,
	}
}

/// v1 → v2.
pub mod v2 {
	use super::{v1::*, *};

	/// Adds the slash factor fields (unversioned; use [`MigrateV1ToV2`]).
	pub struct InnerMigrateV1ToV2<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV1ToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut operators = 0u64;
			Operators::<T>::translate::<OperatorInfoV1<T>, _>(|_, old| {
				operators.saturating_inc();
				Some(OperatorInfo {
					status: old.status,
					commission: old.commission,
					pending_commission: old.pending_commission,
					models: old.models,
					self_bond: old.self_bond,
					delegated: old.delegated,
					unbonding: old.unbonding,
					delegators: old.delegators,
					reward_per_stake: old.reward_per_stake,
					slash_factor: SLASH_FACTOR_ONE,
					untaken: Default::default(),
					registered_at: old.registered_at,
				})
			});
			let mut positions = 0u64;
			Stakes::<T>::translate::<StakeInfoV1<T>, _>(|_, _, old| {
				positions.saturating_inc();
				Some(StakeInfo {
					active: old.active,
					unbonding: old.unbonding,
					reward_per_stake_paid: old.reward_per_stake_paid,
					unclaimed: old.unclaimed,
					slash_factor_synced: SLASH_FACTOR_ONE,
				})
			});
			let items = operators.saturating_add(positions);
			T::DbWeight::get().reads_writes(items, items)
		}
	}

	/// v1 → v2, run once (checks and bumps the on-chain storage version).
	pub type MigrateV1ToV2<T> = VersionedMigration<
		1,
		2,
		InnerMigrateV1ToV2<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
