//! Configuration of every pallet in the runtime.

use crate::{opaque, Models, Operators, Session};
use crate::{
	time::SLOT_DURATION, token, AccountId, Aura, Balance, Balances, Block, BlockNumber, Hash,
	Nonce, PalletInfo, Runtime, RuntimeCall, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason,
	RuntimeOrigin, RuntimeTask, System, VERSION,
};
use frame_support::PalletId;
use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, VariantCountOf},
	weights::{
		constants::{RocksDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		IdentityFee, Weight,
	},
};
use frame_system::limits::{BlockLength, BlockWeights};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::traits::OpaqueKeys;
use sp_runtime::{traits::One, Perbill};

/// Up to this share of a block's weight and length is available to normal transactions; the
/// rest is reserved for operational ones (e.g. GRANDPA equivocation reports).
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// Largest block, in bytes.
const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;

/// Most validators taking part in consensus at once.
pub const MAX_AUTHORITIES: u32 = 32;

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: sp_version::RuntimeVersion = VERSION;

	/// Two seconds of compute per block: two thirds of the three-second slot, leaving time to
	/// gossip and import the block.
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
		Weight::from_parts(2u64 * WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	/// 5 MiB blocks, of which normal transactions may fill `NORMAL_DISPATCH_RATIO`.
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(MAX_BLOCK_LENGTH)
		.modify_max_length_for_class(DispatchClass::Normal, |max| *max = NORMAL_DISPATCH_RATIO * *max)
		.build();
	pub const SS58Prefix: u16 = token::SS58_PREFIX;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	// ParityDb is the node's database, but RocksDB's figures are the conservative, benchmarked
	// ones that upstream runtimes use for both.
	type DbWeight = RocksDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = Session;
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
	/// A timestamp: milliseconds since the Unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

/// Accounts holding less than this are reaped. One milli-VRT keeps dust accounts out of state.
pub const EXISTENTIAL_DEPOSIT: Balance = token::MILLI_UNIT;

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

parameter_types! {
	pub FeeMultiplier: Multiplier = Multiplier::one();
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	// Fees are burned until a treasury exists: issuance falls by exactly the fees paid.
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = IdentityFee<Balance>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Held from a model's owner while the model is registered.
	pub const ModelDeposit: Balance = 10 * token::UNIT;
	/// The lowest price per job and per operator a model may ask.
	pub const MinModelPrice: Balance = token::MILLI_UNIT;
	/// A model's fee share for its owner is at most this.
	pub const MaxRoyalty: Perbill = Perbill::from_percent(30);
	/// A quorum must be a strict majority of the assigned stake.
	pub const MinQuorum: Perbill = Perbill::from_percent(51);
	/// The loosest `Tolerance { eps }` a model may declare: 10_000 fixed-point units. `eps` is
	/// in units of the model's output scale (set in its manifest): 0.01 at a 1e-6 scale, 1e-4
	/// at the engine's default 1e8 scale, ten times the engine's default BERT tolerance (1000
	/// units, 1e-5, itself well above the float noise between kernel profiles). Loose enough
	/// for any honest model the engine runs, tight enough that a fabricated output cannot pass
	/// for the honest one; `u32::MAX` would let every well-formed output agree.
	pub const MaxToleranceEps: u32 = 10_000;
	/// The most blocks an operator may need to run one job: 20 blocks, about one minute of
	/// 3-second blocks, several times what the slowest model the engine runs (SmolLM2-135M,
	/// 64 tokens: ~7 s on the reference VM) needs, while bounding how long a model can keep a
	/// job's fee in escrow and its operators assigned.
	pub const MaxComputeBlocks: u32 = 20;
}

/// The largest job input and output, in bytes.
pub const MAX_JOB_IO_LEN: u32 = 4096;
/// The most operators one job may be replicated to.
pub const MAX_REPLICATION: u32 = 16;

impl pallet_verity_models::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	// Root force-deregisters squatters and poisoned specs, forfeiting their deposit.
	type ForceOrigin = frame_system::EnsureRoot<AccountId>;
	type ModelDeposit = ModelDeposit;
	type MinPrice = MinModelPrice;
	type MaxInputLen = ConstU32<MAX_JOB_IO_LEN>;
	type MaxOutputLen = ConstU32<MAX_JOB_IO_LEN>;
	type MaxReplication = ConstU32<MAX_REPLICATION>;
	type MinQuorum = MinQuorum;
	type MaxRoyalty = MaxRoyalty;
	type MaxToleranceEps = MaxToleranceEps;
	type MaxComputeBlocks = MaxComputeBlocks;
	type WeightInfo = pallet_verity_models::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// A dissenting operator loses this share of its stake.
	pub const DissentSlash: Perbill = Perbill::from_percent(10);
	/// An assigned operator that never revealed loses this share of its stake.
	pub const SilentSlash: Perbill = Perbill::from_percent(1);
	/// Deadline processing may use a quarter of a block.
	pub InferenceAgendaWeight: Weight = RuntimeBlockWeights::get().max_block / 4;
	/// A job needs at most two thirds of its seats to agree: with three seats, one dissenting
	/// or silent operator can neither veto a job nor (with the 51% floor) decide it.
	pub InferenceMaxQuorum: Perbill = Perbill::from_rational(2u32, 3u32);
	/// The submission deposit with an empty queue: 0.1 VRT, ten MiniLM jobs' fees at the
	/// testnet's price, returned with the job; forfeited for a rejected input or a cancel
	/// after the draw.
	pub const JobDeposit: Balance = token::UNIT / 10;
}

impl pallet_verity_inference::Config for Runtime {
	type KeyOwner = InfrKeyOwner;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Models = Models;
	type Operators = Operators;
	/// Replaced by BABE's per-block VRF output when the node moves to BABE.
	type Randomness = pallet_verity_inference::ParentHashRandomness<Runtime>;
	/// Forfeited deposits are burned until a treasury exists.
	type Forfeit = ();
	type MaxOpenJobs = ConstU32<1024>;
	/// Filling the queue takes 32 funded accounts, each paying a rising deposit.
	type MaxOpenJobsPerAccount = ConstU32<32>;
	/// 32 draws of 16 seats among 64 operators fit in a quarter of a block (integrity test).
	type MaxDrawsPerBlock = ConstU32<32>;
	type MaxJobsPerBlock = ConstU32<8>;
	/// One block: a commit or reveal may miss the first block it could land in.
	type PropagationSlack = ConstU32<1>;
	/// Thirty minutes.
	type MaxJobDuration = ConstU32<{ 30 * crate::time::MINUTES }>;
	type MaxQuorum = InferenceMaxQuorum;
	type JobDeposit = JobDeposit;
	/// A full queue multiplies the deposit by ten.
	type DepositSurge = ConstU32<9>;
	/// Results stay readable on chain for a day.
	type ResultLifetime = ConstU32<{ crate::time::DAYS }>;
	type DissentSlash = DissentSlash;
	type SilentSlash = SilentSlash;
	type AgendaWeight = InferenceAgendaWeight;
	type WeightInfo = pallet_verity_inference::weights::SubstrateWeight<Runtime>;
}

/// `infr` key ownership as pallet-session records it on `set_keys`.
pub struct InfrKeyOwner;

impl verity_primitives::infr::KeyOwner<AccountId> for InfrKeyOwner {
	fn owner_of(key: &verity_primitives::infr::Public) -> Option<AccountId> {
		Session::key_owner(verity_primitives::infr::INFR, key.as_ref())
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn set_owner(key: &verity_primitives::infr::Public, owner: &AccountId) {
		pallet_session::KeyOwner::<Runtime>::insert(
			(verity_primitives::infr::INFR, AsRef::<[u8]>::as_ref(key).to_vec()),
			owner,
		);
	}
}

// Off-chain workers send attested commits and reveals as general transactions: no signer,
// authorized by the call itself (`#[pallet::authorize]`).
impl<C> frame_system::offchain::CreateTransactionBase<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extrinsic = crate::UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extension = crate::TxExtension;

	fn create_transaction(
		call: RuntimeCall,
		extension: crate::TxExtension,
	) -> crate::UncheckedExtrinsic {
		crate::UncheckedExtrinsic::new_transaction(call, extension)
	}
}

impl<C> frame_system::offchain::CreateAuthorizedTransaction<C> for Runtime
where
	RuntimeCall: From<C>,
{
	/// The same extensions as a signed transaction; without a signer, nonce and fee checks
	/// pass through, and the transaction is immortal: the call's authorization bounds its
	/// life.
	fn create_extension() -> crate::TxExtension {
		(
			frame_system::AuthorizeCall::<Runtime>::new(),
			frame_system::CheckNonZeroSender::<Runtime>::new(),
			frame_system::CheckSpecVersion::<Runtime>::new(),
			frame_system::CheckTxVersion::<Runtime>::new(),
			frame_system::CheckGenesis::<Runtime>::new(),
			frame_system::CheckEra::<Runtime>::from(sp_runtime::generic::Era::Immortal),
			frame_system::CheckNonce::<Runtime>::from(0),
			frame_system::CheckWeight::<Runtime>::new(),
			pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
			frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
			frame_system::WeightReclaim::<Runtime>::new(),
		)
	}
}

parameter_types! {
	pub const OperatorsPalletId: PalletId = PalletId(*b"vrt/oprs");
	/// An operator bonds at least this much of its own.
	pub const MinSelfBond: Balance = 1_000 * token::UNIT;
	/// The smallest delegation.
	pub const MinDelegation: Balance = 10 * token::UNIT;
	/// An operator keeps at most this share of its rewards as commission.
	pub const MaxCommission: Perbill = Perbill::from_percent(50);
	/// The validator set is re-chosen by stake every minute (20 blocks): a newly staked
	/// operator authors within two sessions. Short for a young network, where the set moves
	/// often; lengthen it (a runtime upgrade) once the set is stable.
	pub const SessionPeriod: BlockNumber = crate::time::MINUTES;
	pub const SessionOffset: BlockNumber = 0;
	/// Applying deferred slashes may use a tenth of a block; the rest waits for the next one.
	pub OperatorsSlashAgendaWeight: Weight = RuntimeBlockWeights::get().max_block / 10;
}

impl pallet_verity_operators::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	// Slashed stake is burned until a treasury exists.
	type OnSlash = ();
	type PalletId = OperatorsPalletId;
	type MinSelfBond = MinSelfBond;
	type MinDelegation = MinDelegation;
	type MaxCommission = MaxCommission;
	/// Commission increases wait a day, so delegators can leave first.
	type CommissionChangeDelay = ConstU32<{ crate::time::DAYS }>;
	/// Unbonding stake stays slashable for a week.
	type UnbondingPeriod = ConstU32<{ 7 * crate::time::DAYS }>;
	type MaxUnbondingChunks = ConstU32<16>;
	/// Only a counter: a slash is O(1) in delegators, nothing iterates them.
	type MaxDelegatorsPerOperator = ConstU32<10_000>;
	/// Registering when full is refused (no eviction of whole operators, which would
	/// force-unbond their delegators); 1024 × `MinSelfBond` makes filling it cost 1M VRT.
	type MaxOperators = ConstU32<1024>;
	type MaxModelsPerOperator = ConstU32<32>;
	type MaxOperatorsPerModel = ConstU32<64>;
	/// The dev chain has a single validator.
	type MinValidators = ConstU32<1>;
	type MaxValidators = ConstU32<MAX_AUTHORITIES>;
	/// A day for governance to cancel a slash. `UnbondingPeriod` (7 days) exceeds it plus
	/// `MaxJobDuration` (30 minutes), so stake at risk when a job is assigned is still held
	/// when its slash applies.
	type SlashDeferDuration = ConstU32<{ crate::time::DAYS }>;
	/// An hour: twice `MaxJobDuration`, so the jobs one outage or bug spoils (those running
	/// during it settle within 30 minutes of its end) mostly fall in one span, and an incident
	/// costs at most two slashes; short enough that an operator that keeps misbehaving is
	/// slashed again every hour.
	type SlashSpanLength = ConstU32<{ crate::time::HOURS }>;
	type CancelOrigin = frame_system::EnsureRoot<AccountId>;
	type SlashAgendaWeight = OperatorsSlashAgendaWeight;
	type HasSessionKeys = pallet_verity_operators::SessionKeysRegistered<Runtime>;
	type WeightInfo = pallet_verity_operators::weights::SubstrateWeight<Runtime>;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = sp_runtime::traits::ConvertInto;
	type ShouldEndSession = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
	type NextSessionRotation = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
	type SessionManager = Operators;
	type SessionHandler = <opaque::SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
	type Keys = opaque::SessionKeys;
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	/// Held while session keys are set, so key storage is not free to spam.
	type KeyDeposit = ConstU128<{ token::UNIT }>;
}
