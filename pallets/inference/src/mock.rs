//! A test runtime: System, Balances, the model registry, this pallet, and a mock operator
//! provider whose stakes, payments and slashes the tests can see and steer.

use crate::{self as pallet_inference, HoldReason, Jobs};
use core::cell::RefCell;
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{
		fungible::{InspectHold, Mutate},
		tokens::Preservation,
		Randomness, VariantCountOf,
	},
	weights::Weight,
	BoundedVec,
};
use pallet_verity_models::{Architecture, ModelSpec};
use sp_runtime::{traits::ConstU32, BuildStorage, DispatchError, Perbill};
use verity_primitives::{
	contract::{commitment, NumericalContract},
	infr,
	operators::{Offence, OperatorProvider},
	JobId, ModelId,
};

pub type AccountId = u64;
pub type Balance = u64;
pub type BlockNumber = u64;
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
	pub type Models = pallet_verity_models;
	#[runtime::pallet_index(3)]
	pub type Inference = pallet_inference;
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

parameter_types! {
	pub const ModelDeposit: Balance = 100;
	pub const MinPrice: Balance = 1;
	pub const MaxInputLen: u32 = 64;
	pub const MaxOutputLen: u32 = 64;
	pub const MaxReplication: u32 = 8;
	pub const MinQuorum: Perbill = Perbill::from_percent(51);
	pub const MaxRoyalty: Perbill = Perbill::from_percent(30);
}

impl pallet_verity_models::Config for Test {
	type Currency = Balances;
	type MaxToleranceEps = ConstU32<10_000>;
	type MaxComputeBlocks = ConstU32<20>;
	type ForceOrigin = frame_system::EnsureRoot<AccountId>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ModelDeposit = ModelDeposit;
	type MinPrice = MinPrice;
	type MaxInputLen = MaxInputLen;
	type MaxOutputLen = MaxOutputLen;
	type MaxReplication = MaxReplication;
	type MinQuorum = MinQuorum;
	type MaxRoyalty = MaxRoyalty;
	type WeightInfo = ();
}

parameter_types! {
	pub static MaxOpenJobs: u32 = 16;
	pub static MaxOpenJobsPerAccount: u32 = 8;
	pub static MaxDrawsPerBlock: u32 = 8;
	pub static MaxJobsPerBlock: u32 = 4;
	pub const PropagationSlack: BlockNumber = 1;
	pub const MaxJobDuration: BlockNumber = 100;
	pub MaxQuorum: Perbill = Perbill::from_rational(2u32, 3u32);
	pub const JobDeposit: Balance = 10;
	pub const DepositSurge: u32 = 9;
	pub const Treasury: AccountId = TREASURY;
	pub const ResultLifetime: BlockNumber = 20;
	pub const DissentSlash: Perbill = Perbill::from_percent(10);
	pub const SilentSlash: Perbill = Perbill::from_percent(1);
	pub static AgendaWeight: Weight = Weight::from_parts(1_000_000_000_000, 1_000_000);
}

impl pallet_inference::Config for Test {
	type KeyOwner = MockKeyOwner;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Models = Models;
	type Operators = MockOperators;
	type Randomness = TestRandomness;
	type Forfeit = frame_support::traits::tokens::imbalance::ResolveTo<Treasury, Balances>;
	type MaxOpenJobs = MaxOpenJobs;
	type MaxOpenJobsPerAccount = MaxOpenJobsPerAccount;
	type MaxDrawsPerBlock = MaxDrawsPerBlock;
	type MaxJobsPerBlock = MaxJobsPerBlock;
	type PropagationSlack = PropagationSlack;
	type MaxJobDuration = MaxJobDuration;
	type MaxQuorum = MaxQuorum;
	type JobDeposit = JobDeposit;
	type DepositSurge = DepositSurge;
	type ResultLifetime = ResultLifetime;
	type DissentSlash = DissentSlash;
	type SilentSlash = SilentSlash;
	type AgendaWeight = AgendaWeight;
	type WeightInfo = crate::weights::SubstrateWeight<Test>;
}

pub type Extrinsic = sp_runtime::testing::TestXt<RuntimeCall, ()>;

impl<C> frame_system::offchain::CreateTransactionBase<C> for Test
where
	RuntimeCall: From<C>,
{
	type Extrinsic = Extrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateTransaction<C> for Test
where
	RuntimeCall: From<C>,
{
	type Extension = ();
	fn create_transaction(call: RuntimeCall, extension: ()) -> Extrinsic {
		Extrinsic::new_transaction(call, extension)
	}
}

impl<C> frame_system::offchain::CreateAuthorizedTransaction<C> for Test
where
	RuntimeCall: From<C>,
{
	fn create_extension() {}
}

thread_local! {
	static KEY_OWNERS: RefCell<Vec<(infr::Public, AccountId)>> = const { RefCell::new(Vec::new()) };
}

/// `infr` key ownership as `session.set_keys` would record it.
pub struct MockKeyOwner;

impl MockKeyOwner {
	/// Records `owner` as the owner of `key`.
	pub fn set(key: &infr::Public, owner: AccountId) {
		KEY_OWNERS.with(|k| k.borrow_mut().push((key.clone(), owner)));
	}
}

impl infr::KeyOwner<AccountId> for MockKeyOwner {
	fn owner_of(key: &infr::Public) -> Option<AccountId> {
		KEY_OWNERS.with(|k| k.borrow().iter().find(|(k, _)| k == key).map(|(_, o)| *o))
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn set_owner(key: &infr::Public, owner: &AccountId) {
		Self::set(key, *owner)
	}
}

/// The `infr` key pair of operator `account` in tests.
pub fn infr_pair(account: AccountId) -> infr::Pair {
	use sp_core::Pair as _;
	infr::Pair::from_seed(&[account as u8; 32])
}

/// Deterministic randomness that changes every block.
pub struct TestRandomness;
impl Randomness<sp_core::H256, BlockNumber> for TestRandomness {
	fn random(subject: &[u8]) -> (sp_core::H256, BlockNumber) {
		let now = System::block_number();
		(sp_io::hashing::blake2_256(&codec::Encode::encode(&(subject, now))).into(), now)
	}
}

/// One operator of the mock provider.
#[derive(Clone, Debug)]
pub struct MockOperator {
	pub account: AccountId,
	pub stake: Balance,
	pub models: Vec<ModelId>,
}

/// An offence report the mock provider received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
	pub operator: AccountId,
	pub job: JobId,
	pub offence: Offence,
	pub fraction: Perbill,
	pub exposure: Balance,
}

thread_local! {
	static OPERATORS: RefCell<Vec<MockOperator>> = const { RefCell::new(Vec::new()) };
	/// Every offence report.
	static REPORTS: RefCell<Vec<Report>> = const { RefCell::new(Vec::new()) };
	/// Every reward: (operator, amount, from).
	static REWARDS: RefCell<Vec<(AccountId, Balance, AccountId)>> = const { RefCell::new(Vec::new()) };
	/// Operators whose rewards the provider refuses.
	static REFUSE_REWARDS: RefCell<Vec<AccountId>> = const { RefCell::new(Vec::new()) };
}

/// A provider that pays operators directly and records offence reports (its slashes are
/// deferred, so reports move no balance).
pub struct MockOperators;

impl MockOperators {
	/// Make `account` serve `models` with `stake`.
	pub fn add(account: AccountId, stake: Balance, models: &[ModelId]) {
		OPERATORS.with(|o| {
			let mut o = o.borrow_mut();
			o.retain(|op| op.account != account);
			o.push(MockOperator { account, stake, models: models.to_vec() });
		});
	}
	/// Take `account` off every model.
	pub fn remove(account: AccountId) {
		OPERATORS.with(|o| o.borrow_mut().retain(|op| op.account != account));
	}
	pub fn reports() -> Vec<Report> {
		REPORTS.with(|s| s.borrow().clone())
	}
	pub fn rewards() -> Vec<(AccountId, Balance, AccountId)> {
		REWARDS.with(|s| s.borrow().clone())
	}
	pub fn refuse_rewards_to(account: AccountId) {
		REFUSE_REWARDS.with(|r| r.borrow_mut().push(account));
	}
	fn reset() {
		OPERATORS.with(|o| o.borrow_mut().clear());
		REPORTS.with(|o| o.borrow_mut().clear());
		REWARDS.with(|o| o.borrow_mut().clear());
		REFUSE_REWARDS.with(|o| o.borrow_mut().clear());
	}
}

impl OperatorProvider<AccountId, Balance> for MockOperators {
	type MaxServing = ConstU32<16>;

	fn operators_serving(model: &ModelId) -> BoundedVec<(AccountId, Balance), Self::MaxServing> {
		let all: Vec<_> = OPERATORS.with(|o| {
			o.borrow()
				.iter()
				.filter(|op| op.models.contains(model))
				.map(|op| (op.account, op.stake))
				.collect()
		});
		BoundedVec::truncate_from(all)
	}

	fn stake_of(operator: &AccountId) -> Balance {
		OPERATORS
			.with(|o| o.borrow().iter().find(|op| op.account == *operator).map_or(0, |op| op.stake))
	}

	fn reward(
		operator: &AccountId,
		amount: Balance,
		from: &AccountId,
	) -> Result<Balance, DispatchError> {
		if REFUSE_REWARDS.with(|r| r.borrow().contains(operator)) {
			return Err(DispatchError::Other("reward refused"));
		}
		let paid =
			<Balances as Mutate<_>>::transfer(from, operator, amount, Preservation::Expendable)?;
		REWARDS.with(|r| r.borrow_mut().push((*operator, paid, *from)));
		Ok(paid)
	}

	fn report_offence(
		operator: &AccountId,
		job: JobId,
		offence: Offence,
		fraction: Perbill,
		exposure: Balance,
	) -> Balance {
		let report = Report { operator: *operator, job, offence, fraction, exposure };
		REPORTS.with(|s| s.borrow_mut().push(report));
		fraction.mul_floor(exposure)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn set_up_operator(operator: &AccountId, model: &ModelId, stake: Balance) {
		let mut models = OPERATORS
			.with(|o| {
				o.borrow().iter().find(|op| op.account == *operator).map(|op| op.models.clone())
			})
			.unwrap_or_default();
		models.push(*model);
		Self::add(*operator, stake, &models);
		if <Balances as frame_support::traits::fungible::Inspect<_>>::balance(operator) < stake {
			Balances::set_balance(operator, stake);
		}
	}
}

/// Where forfeited deposits go in tests.
pub const TREASURY: AccountId = 99;
pub const OWNER: AccountId = 1;
pub const ALICE: AccountId = 2;
pub const BOB: AccountId = 3;
pub const POOR: AccountId = 4;
/// Operators 11..=15 serve the default model with stakes 100, 200, 300, 400, 500.
pub const OPERATORS_START: AccountId = 11;
pub const INITIAL_BALANCE: Balance = 10_000;
pub const PRICE: Balance = 100;

/// Every account a test may touch, for the escrow check.
pub fn known_accounts() -> Vec<AccountId> {
	let mut a = vec![OWNER, ALICE, BOB, POOR];
	a.extend(OPERATORS_START..OPERATORS_START + 10);
	a
}

thread_local! {
	/// The id of the model registered at genesis (derived from its manifest and spec).
	static MODEL_ONE: RefCell<ModelId> = RefCell::new(ModelId::zero());
}

/// The manifest digest of model `tag`.
pub fn manifest(tag: u8) -> ModelId {
	ModelId::repeat_byte(tag)
}

/// The id of model `tag`: model 1 is the one registered at genesis, any other is unregistered.
pub fn model_id(tag: u8) -> ModelId {
	if tag == 1 {
		MODEL_ONE.with(|m| *m.borrow())
	} else {
		manifest(tag)
	}
}

/// The default model: Tolerance eps 2, replication 3, quorum 51%, royalty 10%.
pub fn spec(contract: NumericalContract) -> ModelSpec<Balance> {
	let architecture = match contract {
		NumericalContract::TokenMatch => Architecture::LlamaGguf,
		_ => Architecture::Mlp,
	};
	ModelSpec {
		architecture,
		max_input_len: 16,
		max_output_len: 32,
		price: PRICE,
		replication: 3,
		quorum: Perbill::from_percent(51),
		contract,
		royalty: Perbill::from_percent(10),
		compute_blocks: 0,
	}
}

pub struct ExtBuilder {
	contract: NumericalContract,
	stakes: Vec<Balance>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self { contract: NumericalContract::Tolerance { eps: 2 }, stakes: vec![100, 200, 300] }
	}
}

impl ExtBuilder {
	/// The contract of model 1.
	pub fn contract(mut self, contract: NumericalContract) -> Self {
		self.contract = contract;
		self
	}

	/// The stakes of operators `OPERATORS_START..`, all serving model 1.
	pub fn stakes(mut self, stakes: &[Balance]) -> Self {
		self.stakes = stakes.to_vec();
		self
	}

	pub fn build(self) -> sp_io::TestExternalities {
		MockOperators::reset();
		KEY_OWNERS.with(|k| k.borrow_mut().clear());
		MaxOpenJobs::set(16);
		MaxJobsPerBlock::set(4);
		AgendaWeight::set(Weight::from_parts(1_000_000_000_000, 1_000_000));
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		let mut balances = vec![
			(OWNER, INITIAL_BALANCE),
			(ALICE, INITIAL_BALANCE),
			(BOB, INITIAL_BALANCE),
			(POOR, 150),
			(TREASURY, 1),
		];
		for (i, stake) in self.stakes.iter().enumerate() {
			balances.push((OPERATORS_START + i as u64, *stake.max(&1)));
		}
		pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
			.assimilate_storage(&mut storage)
			.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.register_extension(sp_keystore::KeystoreExt::new(
			sp_keystore::testing::MemoryKeystore::new(),
		));
		let contract = self.contract;
		let stakes = self.stakes;
		ext.execute_with(|| {
			System::set_block_number(1);
			let spec = spec(contract);
			let id = pallet_verity_models::model_id(&manifest(1), &spec);
			MODEL_ONE.with(|m| *m.borrow_mut() = id);
			assert_ok!(Models::register(RuntimeOrigin::signed(OWNER), manifest(1), spec));
			for (i, stake) in stakes.iter().enumerate() {
				MockOperators::add(OPERATORS_START + i as u64, *stake, &[model_id(1)]);
			}
		});
		ext
	}

	/// Run `test`, then check every invariant: the pallets' `do_try_state`, escrow per known
	/// account, and that the issuance did not move (reports move no balance; forfeited
	/// deposits go to the treasury).
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			let issuance = pallet_balances::TotalIssuance::<Test>::get();
			test();
			check_invariants();
			assert_eq!(pallet_balances::TotalIssuance::<Test>::get(), issuance, "issuance changed");
		});
	}
}

/// The pallets' invariants plus escrow for every known account.
pub fn check_invariants() {
	Inference::do_try_state().expect("inference try_state holds");
	Models::do_try_state().expect("models try_state holds");
	for who in known_accounts() {
		let fees: Balance =
			Jobs::<Test>::iter_values().filter(|j| j.submitter == who).map(|j| j.fee).sum();
		assert_eq!(
			Balances::balance_on_hold(&HoldReason::JobEscrow.into(), &who),
			fees,
			"escrow of {who}"
		);
	}
}

/// Run blocks up to `n`, checking invariants after each.
pub fn run_to_block(n: BlockNumber) {
	while System::block_number() < n {
		System::run_to_block::<AllPalletsWithSystem>(System::block_number() + 1);
		check_invariants();
	}
}

/// The `i`-th operator account.
pub fn op(i: u64) -> AccountId {
	OPERATORS_START + i
}

/// An input that fits the default model.
pub fn input() -> BoundedVec<u8, MaxInputLen> {
	BoundedVec::truncate_from(vec![1, 2, 3, 4])
}

/// `values` as a Tolerance output.
pub fn fixed(values: &[i32]) -> BoundedVec<u8, MaxOutputLen> {
	BoundedVec::truncate_from(values.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>())
}

/// A `TokenMatch` output: the token ids, then free `text`.
pub fn tokens(ids: &[u32], text: &[u8]) -> BoundedVec<u8, MaxOutputLen> {
	let mut v = (ids.len() as u32).to_le_bytes().to_vec();
	v.extend(ids.iter().flat_map(|i| i.to_le_bytes()));
	v.extend_from_slice(text);
	BoundedVec::truncate_from(v)
}

/// The salt an operator uses in tests.
pub fn salt_of(operator: AccountId) -> [u8; 32] {
	[operator as u8; 32]
}

/// The commitment of `operator` to `output` with its test salt.
pub fn commitment_of(operator: AccountId, output: &[u8]) -> [u8; 32] {
	commitment(output, &salt_of(operator), &codec::Encode::encode(&operator))
}

/// Submit a default job for model 1 by ALICE with deadline `now + 10` and run to the block
/// that draws it; returns its id.
pub fn submit() -> JobId {
	submit_with(None, None)
}

/// Submit a job by ALICE with the given replication and quorum, deadline `now + 10`, and
/// run to the next block, where its operators are drawn.
pub fn submit_with(replication: Option<u32>, quorum: Option<Perbill>) -> JobId {
	let id = submit_undrawn(ALICE, replication, quorum, System::block_number() + 10);
	run_to_block(System::block_number() + 1);
	id
}

/// Submit a job for model 1 by `who`, staying in the submission block (not drawn yet).
pub fn submit_undrawn(
	who: AccountId,
	replication: Option<u32>,
	quorum: Option<Perbill>,
	deadline: BlockNumber,
) -> JobId {
	let id = crate::NextJobId::<Test>::get();
	assert_ok!(Inference::submit_job(
		RuntimeOrigin::signed(who),
		model_id(1),
		input(),
		10 * PRICE,
		replication,
		quorum,
		deadline,
	));
	id
}

/// The operators assigned to `job`, in seat order.
pub fn assigned(job: JobId) -> Vec<AccountId> {
	Jobs::<Test>::get(job).unwrap().assignments.iter().map(|a| a.operator).collect()
}

/// `operator` commits to `output` on `job`.
pub fn do_commit(job: JobId, operator: AccountId, output: &[u8]) {
	assert_ok!(Inference::commit(
		RuntimeOrigin::signed(operator),
		job,
		commitment_of(operator, output)
	));
}

/// `operator` reveals `output` on `job`.
pub fn do_reveal(job: JobId, operator: AccountId, output: &BoundedVec<u8, MaxOutputLen>) {
	assert_ok!(Inference::reveal(
		RuntimeOrigin::signed(operator),
		job,
		output.clone(),
		salt_of(operator)
	));
}

/// Every assigned operator of `job` commits to, then reveals, its entry of `outputs` (by
/// operator account); operators missing from `outputs` stay silent.
pub fn play(job: JobId, outputs: &[(AccountId, BoundedVec<u8, MaxOutputLen>)]) {
	for (operator, output) in outputs {
		do_commit(job, *operator, output);
	}
	let commit_end = Jobs::<Test>::get(job).unwrap().commit_end;
	if outputs.len() < assigned(job).len() {
		run_to_block(commit_end);
	}
	for (operator, output) in outputs {
		do_reveal(job, *operator, output);
	}
}

/// The pallet's events, in order.
pub fn events() -> Vec<pallet_inference::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Inference(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// The pallet's last event.
pub fn last_event() -> pallet_inference::Event<Test> {
	events().pop().expect("an inference event")
}
