//! A test runtime: System, Balances and the operator staking pallet.

use crate::{self as pallet_operators, DeferredSlash, HoldReason, ModelsOf, StakeInfo};
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{
		fungible::{self, Balanced, InspectHold},
		Contains, Get, Hooks, OnUnbalanced, VariantCountOf,
	},
	weights::Weight,
	PalletId,
};
use frame_system::EnsureRoot;
use sp_runtime::{
	testing::UintAuthorityId,
	traits::{ConstU128, ConvertInto, OpaqueKeys},
	BuildStorage, KeyTypeId, Perbill,
};
use verity_primitives::{operators::Offence, ModelId};

pub type AccountId = u64;
pub type Balance = u128;
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
	pub type Operators = pallet_operators;
	#[runtime::pallet_index(3)]
	pub type Session = pallet_session;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
}

pub const MIN_SELF_BOND: Balance = 100;
pub const MIN_DELEGATION: Balance = 10;
pub const UNBONDING: u64 = 20;
pub const COMMISSION_DELAY: u64 = 10;
pub const MAX_DELEGATORS: u32 = 4;
pub const MAX_CHUNKS: u32 = 3;
/// Reported slashes apply this many blocks later.
pub const SLASH_DEFER: u64 = 5;
/// Slashing spans are this many blocks long.
pub const SPAN: u64 = 10;

/// Receives slashes unless [`BURN_SLASHES`] is set.
pub const TREASURY: AccountId = 1_000;
/// Operators.
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
pub const DAVE: AccountId = 4;
/// Delegators.
pub const EVE: AccountId = 10;
pub const FERDIE: AccountId = 11;
pub const GREG: AccountId = 12;
pub const HANS: AccountId = 13;
pub const IDA: AccountId = 14;
/// An account with little money.
pub const POOR: AccountId = 30;
/// Every funded account starts with this.
pub const FUNDS: Balance = 10_000;

parameter_types! {
	pub const OperatorsPalletId: PalletId = PalletId(*b"vrt/oprs");
	pub const MinSelfBond: Balance = MIN_SELF_BOND;
	pub const MinDelegation: Balance = MIN_DELEGATION;
	pub const MaxCommission: Perbill = Perbill::from_percent(50);
	pub const CommissionChangeDelay: u64 = COMMISSION_DELAY;
	pub const UnbondingPeriod: u64 = UNBONDING;
	pub const MaxUnbondingChunks: u32 = MAX_CHUNKS;
	pub const MaxOperators: u32 = 8;
	pub const MaxModelsPerOperator: u32 = 3;
	pub const MaxOperatorsPerModel: u32 = 4;
	pub const MinValidators: u32 = 2;
	pub const MaxValidators: u32 = 3;
	pub const SlashDeferDuration: u64 = SLASH_DEFER;
	pub const SlashSpanLength: u64 = SPAN;
}

thread_local! {
	/// Slashes are burnt instead of paid to [`TREASURY`].
	pub static BURN_SLASHES: RefCell<bool> = const { RefCell::new(false) };
	/// Accounts without session keys.
	pub static NO_KEYS: RefCell<Vec<AccountId>> = const { RefCell::new(Vec::new()) };
	/// `MaxDelegatorsPerOperator`.
	pub static MAX_DELEGATORS_NOW: RefCell<u32> = const { RefCell::new(MAX_DELEGATORS) };
	/// The slash agenda's budget per block; `None` for a quarter of a block.
	pub static SLASH_AGENDA_WEIGHT: RefCell<Option<Weight>> = const { RefCell::new(None) };
}

/// [`MAX_DELEGATORS_NOW`]: [`MAX_DELEGATORS`] unless a test raises it.
pub struct MaxDelegatorsPerOperator;
impl Get<u32> for MaxDelegatorsPerOperator {
	fn get() -> u32 {
		MAX_DELEGATORS_NOW.with(|m| *m.borrow())
	}
}

/// The slash agenda's budget: [`SLASH_AGENDA_WEIGHT`] or a quarter of a block.
pub struct SlashAgendaWeight;
impl Get<Weight> for SlashAgendaWeight {
	fn get() -> Weight {
		SLASH_AGENDA_WEIGHT.with(|w| *w.borrow()).unwrap_or_else(|| {
			<<Test as frame_system::Config>::BlockWeights as Get<
				frame_system::limits::BlockWeights,
			>>::get()
			.max_block / 4
		})
	}
}

/// Pays slashes to the treasury, or burns them.
pub struct SlashSink;
impl OnUnbalanced<fungible::Credit<AccountId, Balances>> for SlashSink {
	fn on_nonzero_unbalanced(credit: fungible::Credit<AccountId, Balances>) {
		if !BURN_SLASHES.with(|b| *b.borrow()) {
			let _ = Balances::resolve(&TREASURY, credit);
		}
	}
}

/// Everyone has session keys except the accounts in [`NO_KEYS`].
pub struct MockKeys;
impl Contains<AccountId> for MockKeys {
	fn contains(who: &AccountId) -> bool {
		!NO_KEYS.with(|n| n.borrow().contains(who))
	}
}

impl pallet_operators::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type OnSlash = SlashSink;
	type PalletId = OperatorsPalletId;
	type MinSelfBond = MinSelfBond;
	type MinDelegation = MinDelegation;
	type MaxCommission = MaxCommission;
	type CommissionChangeDelay = CommissionChangeDelay;
	type UnbondingPeriod = UnbondingPeriod;
	type MaxUnbondingChunks = MaxUnbondingChunks;
	type MaxDelegatorsPerOperator = MaxDelegatorsPerOperator;
	type MaxOperators = MaxOperators;
	type MaxModelsPerOperator = MaxModelsPerOperator;
	type MaxOperatorsPerModel = MaxOperatorsPerModel;
	type MinValidators = MinValidators;
	type MaxValidators = MaxValidators;
	type SlashDeferDuration = SlashDeferDuration;
	type SlashSpanLength = SlashSpanLength;
	type CancelOrigin = EnsureRoot<AccountId>;
	type SlashAgendaWeight = SlashAgendaWeight;
	type HasSessionKeys = MockKeys;
	type WeightInfo = ();
}

/// Tells nobody about sessions: the tests read pallet-session's storage.
pub struct NoSessionHandler;
impl pallet_session::SessionHandler<AccountId> for NoSessionHandler {
	const KEY_TYPE_IDS: &'static [KeyTypeId] = &[sp_runtime::key_types::DUMMY];
	fn on_genesis_session<Ks: OpaqueKeys>(_validators: &[(AccountId, Ks)]) {}
	fn on_new_session<Ks: OpaqueKeys>(
		_changed: bool,
		_validators: &[(AccountId, Ks)],
		_queued: &[(AccountId, Ks)],
	) {
	}
	fn on_disabled(_validator_index: u32) {}
}

parameter_types! {
	pub const SessionPeriod: u64 = 10;
	pub const SessionOffset: u64 = 0;
}

impl pallet_session::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
	type NextSessionRotation = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
	type SessionManager = Operators;
	type SessionHandler = NoSessionHandler;
	type Keys = UintAuthorityId;
	type DisablingStrategy = ();
	type WeightInfo = ();
	type Currency = Balances;
	type KeyDeposit = ConstU128<0>;
}

/// A model id from a short tag.
pub fn model(tag: u8) -> ModelId {
	ModelId::repeat_byte(tag)
}

/// A bounded model list.
pub fn models(tags: &[u8]) -> ModelsOf<Test> {
	ModelsOf::<Test>::truncate_from(tags.iter().map(|t| model(*t)).collect())
}

pub struct ExtBuilder {
	operators: Vec<(AccountId, Balance, Perbill, Vec<ModelId>)>,
	delegations: Vec<(AccountId, AccountId, Balance)>,
}

impl Default for ExtBuilder {
	/// Alice (1000, 10%) and Bob (500, 20%) serve model 1; Bob also serves model 2.
	fn default() -> Self {
		Self {
			operators: vec![
				(ALICE, 1_000, Perbill::from_percent(10), vec![model(1)]),
				(BOB, 500, Perbill::from_percent(20), vec![model(1), model(2)]),
			],
			delegations: vec![],
		}
	}
}

impl ExtBuilder {
	/// No operators at genesis.
	pub fn empty() -> Self {
		Self { operators: vec![], delegations: vec![] }
	}

	/// Add a genesis operator.
	pub fn operator(mut self, who: AccountId, bond: Balance, commission: u32, tags: &[u8]) -> Self {
		self.operators.push((
			who,
			bond,
			Perbill::from_percent(commission),
			tags.iter().map(|t| model(*t)).collect(),
		));
		self
	}

	/// Add a genesis delegation.
	pub fn delegation(
		mut self,
		delegator: AccountId,
		operator: AccountId,
		amount: Balance,
	) -> Self {
		self.delegations.push((delegator, operator, amount));
		self
	}

	pub fn build(self) -> sp_io::TestExternalities {
		BURN_SLASHES.with(|b| *b.borrow_mut() = false);
		NO_KEYS.with(|n| n.borrow_mut().clear());
		SLASH_AGENDA_WEIGHT.with(|w| *w.borrow_mut() = None);
		MAX_DELEGATORS_NOW.with(|m| *m.borrow_mut() = MAX_DELEGATORS);
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		let mut balances: Vec<(AccountId, Balance)> = (1..=20).map(|a| (a, FUNDS)).collect();
		balances.push((TREASURY, 1));
		balances.push((POOR, 50));
		pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
			.assimilate_storage(&mut storage)
			.unwrap();
		pallet_operators::GenesisConfig::<Test> {
			operators: self.operators,
			delegations: self.delegations,
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	/// Run `test`, then check the pallet's invariants, and that funds were neither created
	/// nor destroyed unless slashes were burnt.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			let issuance = pallet_balances::TotalIssuance::<Test>::get();
			test();
			Operators::do_try_state().expect("try_state holds");
			if !BURN_SLASHES.with(|b| *b.borrow()) {
				assert_eq!(pallet_balances::TotalIssuance::<Test>::get(), issuance);
			}
		});
	}
}

/// Move to block `n`, running the pallet's `on_initialize` in every block on the way.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Operators::on_initialize(next);
	}
}

/// The events of this pallet, oldest first.
pub fn events() -> Vec<pallet_operators::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Operators(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// The last event of this pallet.
pub fn last_event() -> pallet_operators::Event<Test> {
	events().pop().expect("an operators event")
}

/// Held under `OperatorBond`.
pub fn bond_held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::OperatorBond.into(), &who)
}

/// Held under `Delegation`.
pub fn delegation_held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::Delegation.into(), &who)
}

/// Free balance.
pub fn free(who: AccountId) -> Balance {
	Balances::free_balance(who)
}

/// The position of `staker` with `operator`, synced (slashes applied, rewards settled), as
/// the next call touching it will see it.
pub fn position(operator: AccountId, staker: AccountId) -> StakeInfo<Test> {
	Operators::synced_position(&operator, &staker).expect("a position")
}

/// The position of `staker` with `operator` as stored (before unsynced slashes).
pub fn stored_position(operator: AccountId, staker: AccountId) -> StakeInfo<Test> {
	crate::Stakes::<Test>::get(operator, staker).expect("a position")
}

/// The operator record.
pub fn operator(who: AccountId) -> crate::OperatorInfo<Test> {
	crate::Operators::<Test>::get(who).expect("an operator")
}

/// What `staker` could claim from `operator` now.
pub fn claimable(operator: AccountId, staker: AccountId) -> Balance {
	let info = self::operator(operator);
	let p = stored_position(operator, staker);
	p.unclaimed + Operators::pending(&p, info.reward_per_stake)
}

/// The reward pot's balance.
pub fn pot() -> Balance {
	free(Operators::pot())
}

/// Pay `amount` to `operator` from `payer` through the provider.
pub fn reward(
	operator: AccountId,
	amount: Balance,
	payer: AccountId,
) -> Result<Balance, sp_runtime::DispatchError> {
	<Operators as verity_primitives::operators::OperatorProvider<_, _>>::reward(
		&operator, amount, &payer,
	)
}

/// Apply at once a slash of `percent` of everything behind `operator` (active and
/// unbonding), as the agenda would, skipping the report, span and deferral. Returns the amount
/// taken off the operator's totals.
pub fn slash(operator: AccountId, percent: u32, job: u64) -> Balance {
	let total = crate::Operators::<Test>::get(operator).map_or(0, |i| i.total_stake());
	Operators::apply_slash(&DeferredSlash {
		operator,
		job,
		offence: Offence::Dissent,
		amount: Perbill::from_percent(percent).mul_floor(total),
	})
}

/// Report a dissent of `operator` in `job` through the provider, with its current stake at
/// risk as the exposure. Returns the amount scheduled.
pub fn report(operator: AccountId, percent: u32, job: u64) -> Balance {
	report_with(operator, job, Offence::Dissent, percent, stake_of(operator))
}

/// Report through the provider.
pub fn report_with(
	operator: AccountId,
	job: u64,
	offence: Offence,
	percent: u32,
	exposure: Balance,
) -> Balance {
	<Operators as verity_primitives::operators::OperatorProvider<_, _>>::report_offence(
		&operator,
		job,
		offence,
		Perbill::from_percent(percent),
		exposure,
	)
}

/// Every storage key and value, to count what a call changed.
pub fn storage_snapshot() -> std::collections::BTreeMap<Vec<u8>, Vec<u8>> {
	let mut all = std::collections::BTreeMap::new();
	let mut key = Vec::new();
	while let Some(next) = sp_io::storage::next_key(&key) {
		let value = sp_io::storage::get(&next).map(|v| v.to_vec()).unwrap_or_default();
		all.insert(next.clone(), value);
		key = next;
	}
	all
}

/// The keys that differ between two snapshots, restricted to those starting with `prefix`.
pub fn changed_keys(
	before: &std::collections::BTreeMap<Vec<u8>, Vec<u8>>,
	after: &std::collections::BTreeMap<Vec<u8>, Vec<u8>>,
	prefix: &[u8],
) -> usize {
	let keys: std::collections::BTreeSet<_> = before.keys().chain(after.keys()).collect();
	keys.into_iter().filter(|k| k.starts_with(prefix) && before.get(*k) != after.get(*k)).count()
}

/// The provider's `stake_of`.
pub fn stake_of(who: AccountId) -> Balance {
	<Operators as verity_primitives::operators::OperatorProvider<_, _>>::stake_of(&who)
}

/// The provider's `operators_serving`.
pub fn operators_serving(tag: u8) -> Vec<(AccountId, Balance)> {
	<Operators as verity_primitives::operators::OperatorProvider<_, _>>::operators_serving(&model(
		tag,
	))
	.into_inner()
}

/// Plan session `index` through the session manager.
pub fn new_session(index: u32) -> Option<Vec<AccountId>> {
	<Operators as pallet_session::SessionManager<AccountId>>::new_session(index)
}
