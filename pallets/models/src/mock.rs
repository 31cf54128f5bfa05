//! A test runtime: System, Balances and the model registry.

use crate::{self as pallet_models, ModelSpec};
use frame_support::{derive_impl, parameter_types, traits::VariantCountOf};
use sp_runtime::{BuildStorage, Perbill};
use verity_primitives::{contract::NumericalContract, ModelId};

pub type AccountId = u64;
pub type Balance = u64;
type Block = frame_system::mocking::MockBlock<Test>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(2)]
	pub type Models = pallet_models;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
}

pub const DEPOSIT: Balance = 100;
pub const MIN_PRICE: Balance = 2;

parameter_types! {
	pub const ModelDeposit: Balance = DEPOSIT;
	pub const MinPrice: Balance = MIN_PRICE;
	pub const MaxInputLen: u32 = 64;
	pub const MaxOutputLen: u32 = 64;
	pub const MaxReplication: u32 = 8;
	pub const MinQuorum: Perbill = Perbill::from_percent(51);
	pub const MaxRoyalty: Perbill = Perbill::from_percent(30);
	pub const MaxToleranceEps: u32 = 10_000;
	pub const MaxComputeBlocks: u32 = 20;
}

impl pallet_models::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ForceOrigin = frame_system::EnsureRoot<AccountId>;
	type ModelDeposit = ModelDeposit;
	type MinPrice = MinPrice;
	type MaxInputLen = MaxInputLen;
	type MaxOutputLen = MaxOutputLen;
	type MaxReplication = MaxReplication;
	type MinQuorum = MinQuorum;
	type MaxRoyalty = MaxRoyalty;
	type MaxToleranceEps = MaxToleranceEps;
	type MaxComputeBlocks = MaxComputeBlocks;
	type WeightInfo = ();
}

pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const POOR: AccountId = 3;
/// An account that does not exist.
pub const NOBODY: AccountId = 99;

/// A manifest digest from a short tag.
pub fn manifest(tag: u8) -> ModelId {
	ModelId::repeat_byte(tag)
}

/// The id of `manifest(tag)` registered under [`spec`].
pub fn id(tag: u8) -> ModelId {
	crate::model_id(&manifest(tag), &spec())
}

/// A valid spec.
pub fn spec() -> ModelSpec<Balance> {
	ModelSpec {
		architecture: crate::Architecture::Mlp,
		max_input_len: 32,
		max_output_len: 32,
		price: 10,
		replication: 3,
		quorum: Perbill::from_percent(67),
		contract: NumericalContract::Tolerance { eps: 3 },
		royalty: Perbill::from_percent(10),
		compute_blocks: 2,
	}
}

pub struct ExtBuilder;

impl ExtBuilder {
	pub fn build() -> sp_io::TestExternalities {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> {
			balances: vec![(ALICE, 1_000), (BOB, 1_000), (POOR, 50)],
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	/// Run `test`, then check the pallet's invariants and that no funds were created or
	/// destroyed.
	pub fn build_and_execute(test: impl FnOnce()) {
		Self::build_and_execute_burning(0, test)
	}

	/// Run `test`, then check the pallet's invariants and that exactly `burned` was destroyed
	/// (forfeited deposits) and nothing created.
	pub fn build_and_execute_burning(burned: Balance, test: impl FnOnce()) {
		Self::build().execute_with(|| {
			let issuance = pallet_balances::TotalIssuance::<Test>::get();
			test();
			Models::do_try_state().expect("try_state holds");
			assert_eq!(pallet_balances::TotalIssuance::<Test>::get(), issuance - burned);
		});
	}
}

/// The last event of the registry.
pub fn last_event() -> pallet_models::Event<Test> {
	System::events()
		.into_iter()
		.rev()
		.find_map(|r| match r.event {
			RuntimeEvent::Models(e) => Some(e),
			_ => None,
		})
		.expect("a registry event")
}
