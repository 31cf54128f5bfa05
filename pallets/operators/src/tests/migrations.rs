//! Storage migrations.

use crate::{
	migrations::{v1, v2},
	mock::*,
	OperatorStatus, Operators as OperatorsMap, Stakes, SLASH_FACTOR_ONE,
};
use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
use sp_runtime::Perbill;

#[test]
fn v1_to_v2_starts_every_slash_factor_at_one() {
	ExtBuilder::empty().build().execute_with(|| {
		StorageVersion::new(1).put::<Operators>();
		let info = v1::OperatorInfoV1::<Test> {
			status: OperatorStatus::Active,
			commission: Perbill::from_percent(10),
			pending_commission: None,
			models: models(&[]),
			self_bond: 0,
			delegated: 0,
			unbonding: 0,
			delegators: 0,
			reward_per_stake: 7,
			registered_at: 3,
		};
		let position = v1::StakeInfoV1::<Test> {
			active: 0,
			unbonding: Default::default(),
			reward_per_stake_paid: 5,
			unclaimed: 2,
		};
		frame_support::storage::unhashed::put(&OperatorsMap::<Test>::hashed_key_for(ALICE), &info);
		frame_support::storage::unhashed::put(
			&Stakes::<Test>::hashed_key_for(ALICE, EVE),
			&position,
		);

		v2::MigrateV1ToV2::<Test>::on_runtime_upgrade();

		assert_eq!(Operators::on_chain_storage_version(), 2);
		let info = operator(ALICE);
		assert_eq!((info.reward_per_stake, info.registered_at), (7, 3));
		assert_eq!(info.slash_factor, SLASH_FACTOR_ONE);
		assert_eq!(info.untaken, Default::default());
		let position = stored_position(ALICE, EVE);
		assert_eq!((position.reward_per_stake_paid, position.unclaimed), (5, 2));
		assert_eq!(position.slash_factor_synced, SLASH_FACTOR_ONE);
	});
}
