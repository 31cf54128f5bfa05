//! The off-chain worker, against the node's externalities: an engine behind the host function,
//! a keystore with `infr` keys, local storage and a transaction pool.

use crate::{
	mock::*,
	offchain::{local_key, LocalJob, RESEND_AFTER},
	Call, Jobs, Results,
};
use codec::Decode;
use frame_support::{
	assert_ok,
	pallet_prelude::{Authorize, TransactionSource},
	traits::{Hooks, UnfilteredDispatchable},
};
use frame_system::RawOrigin;
use parking_lot::RwLock;
use sp_core::offchain::{
	testing::{PoolState, TestOffchainExt, TestTransactionPoolExt},
	OffchainDbExt, OffchainWorkerExt, TransactionPoolExt,
};
use sp_runtime::RuntimeAppPublic;
use std::sync::{
	atomic::{AtomicU32, Ordering},
	Arc,
};
use verity_primitives::{
	host::{InferenceEngine, InferenceError, InferenceExt, KernelProfile},
	infr, ModelId,
};

/// An engine whose store holds one model, answering with a fixed output, counting its runs.
pub(super) struct FixedEngine {
	pub(super) model: ModelId,
	pub(super) runs: AtomicU32,
	/// Refuse every input, as an engine refuses text that is not UTF-8.
	pub(super) reject_inputs: bool,
}

pub(super) const ENGINE_OUTPUT: [i32; 2] = [7, 8];

impl InferenceEngine for FixedEngine {
	fn run(&self, model: &[u8; 32], _input: &[u8]) -> Result<Vec<u8>, InferenceError> {
		self.runs.fetch_add(1, Ordering::SeqCst);
		if model != self.model.as_fixed_bytes() {
			return Err(InferenceError::ModelUnavailable("not in the store".into()));
		}
		if self.reject_inputs {
			return Err(InferenceError::InvalidInput("not UTF-8".into()));
		}
		Ok(fixed(&ENGINE_OUTPUT).into_inner())
	}

	fn kernel_profile(&self) -> KernelProfile {
		KernelProfile { id: [0; 32], name: "test".into(), deterministic: true }
	}
}

pub(super) struct Node {
	pub(super) ext: sp_io::TestExternalities,
	pub(super) pool: Arc<RwLock<PoolState>>,
	pub(super) offchain: TestOffchainExt,
	pub(super) engine: Arc<FixedEngine>,
}

/// The default test chain, seen from a node whose keystore will hold `infr` keys and whose
/// store holds model 1.
pub(super) fn node() -> Node {
	node_with_model(manifest(1))
}

pub(super) fn node_with_model(model: ModelId) -> Node {
	node_with_engine(FixedEngine { model, runs: AtomicU32::new(0), reject_inputs: false })
}

pub(super) fn node_with_engine(engine: FixedEngine) -> Node {
	let mut ext = ExtBuilder::default().build();
	let (offchain, _) = TestOffchainExt::new();
	let (pool, pool_state) = TestTransactionPoolExt::new();
	let engine = Arc::new(engine);
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain.clone()));
	ext.register_extension(TransactionPoolExt::new(pool));
	ext.register_extension(InferenceExt(engine.clone()));
	Node { ext, pool: pool_state, offchain, engine }
}

/// Gives this node the `infr` key of `operator`.
pub(super) fn hold_key_of(operator: AccountId) {
	let key = infr::Public::generate_pair(Some(format!("//operator{operator}").into_bytes()));
	MockKeyOwner::set(&key, operator);
}

pub(super) fn run_worker() {
	Inference::offchain_worker(System::block_number());
}

/// Takes the pool's transactions, checks each is authorized and applies it.
pub(super) fn apply_pool(pool: &Arc<RwLock<PoolState>>) -> Vec<Call<Test>> {
	let txs = std::mem::take(&mut pool.write().transactions);
	txs.into_iter()
		.map(|tx| {
			let xt = Extrinsic::decode(&mut &tx[..]).expect("a transaction of this runtime");
			let RuntimeCall::Inference(call) = xt.function else { panic!("not an inference call") };
			assert_ok!(call.authorize(TransactionSource::Local).expect("authorizable"));
			assert_ok!(call.clone().dispatch_bypass_filter(RawOrigin::Authorized.into()));
			call
		})
		.collect()
}

fn is_commit(call: &Call<Test>) -> bool {
	matches!(call, Call::commit_attested { .. })
}

fn is_reveal(call: &Call<Test>) -> bool {
	matches!(call, Call::reveal_attested { .. })
}

#[test]
fn the_worker_commits_then_reveals_and_the_job_settles_with_the_engine_output() {
	let Node { mut ext, pool, engine, .. } = node();
	ext.execute_with(|| {
		let job = submit_undrawn(ALICE, None, None, 11);
		// Not in the job's own block: nobody holds a seat before the draw.
		run_worker();
		assert_eq!(engine.runs.load(Ordering::SeqCst), 0);
		run_to_block(System::block_number() + 1);
		for operator in assigned(job) {
			hold_key_of(operator);
		}
		// Workers of consecutive blocks overlap: running twice must not run or send twice.
		run_worker();
		run_worker();
		assert_eq!(engine.runs.load(Ordering::SeqCst), 3);
		let sent = apply_pool(&pool);
		assert_eq!(sent.len(), 3);
		assert!(sent.iter().all(is_commit));
		assert_eq!(Jobs::<Test>::get(job).unwrap().commits, 3);

		// Every operator committed, so the reveal phase is open from the next block.
		run_to_block(System::block_number() + 1);
		run_worker();
		let sent = apply_pool(&pool);
		assert_eq!(sent.len(), 3);
		assert!(sent.iter().all(is_reveal));
		assert_eq!(Results::<Test>::get(job).unwrap().output, fixed(&ENGINE_OUTPUT));
		assert_eq!(engine.runs.load(Ordering::SeqCst), 3, "the model ran once per operator");
		check_invariants();
	});
}

#[test]
fn the_worker_serves_only_the_operators_whose_keys_it_holds() {
	let Node { mut ext, pool, engine, .. } = node();
	ext.execute_with(|| {
		let job = submit();
		hold_key_of(assigned(job)[1]);
		// A key in the keystore that no operator set is ignored.
		infr::Public::generate_pair(Some(b"//nobody".to_vec()));
		run_to_block(System::block_number() + 1);
		run_worker();
		assert_eq!(engine.runs.load(Ordering::SeqCst), 1);
		let sent = apply_pool(&pool);
		assert_eq!(sent.len(), 1);
		let job_state = Jobs::<Test>::get(job).unwrap();
		assert!(job_state.assignments[1].commitment.is_some());
		assert!(job_state.assignments[0].commitment.is_none());
	});
}

#[test]
fn a_model_the_node_cannot_run_is_declined_and_retried_later() {
	let Node { mut ext, pool, engine, offchain } = node_with_model(manifest(2));
	ext.execute_with(|| {
		// A long job, so the commit phase outlasts the retry delay.
		let job = submit_undrawn(ALICE, None, None, 40);
		run_to_block(2);
		let operator = assigned(job)[0];
		hold_key_of(operator);
		run_to_block(System::block_number() + 1);
		run_worker();
		run_to_block(System::block_number() + 1);
		run_worker();
		assert!(pool.read().transactions.is_empty());
		assert_eq!(engine.runs.load(Ordering::SeqCst), 1, "declined, not retried at once");
		let fingerprint =
			crate::offchain::fingerprint::<Test>(&Jobs::<Test>::get(job).unwrap(), &input());
		let stored = offchain
			.0
			.read()
			.persistent_storage
			.get(&local_key(job, &operator, &fingerprint))
			.expect("the worker kept its decision");
		assert_eq!(
			LocalJob::<BlockNumber>::decode(&mut &stored[..]).unwrap(),
			LocalJob::Declined { at: 3 }
		);
		// Tried again after a while: the model may have arrived in the store.
		run_to_block(System::block_number() + RESEND_AFTER as u64);
		run_worker();
		assert_eq!(engine.runs.load(Ordering::SeqCst), 2);
	});
}

#[test]
fn without_an_engine_the_worker_declines_instead_of_panicking() {
	let mut ext = ExtBuilder::default().build();
	let (offchain, _) = TestOffchainExt::new();
	let (pool, pool_state) = TestTransactionPoolExt::new();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	ext.execute_with(|| {
		let job = submit();
		hold_key_of(assigned(job)[0]);
		run_to_block(System::block_number() + 1);
		run_worker();
		assert!(pool_state.read().transactions.is_empty());
	});
}

#[test]
fn a_commit_the_chain_never_saw_is_sent_again_after_a_while() {
	let Node { mut ext, pool, engine, .. } = node();
	ext.execute_with(|| {
		// A long job, so the commit phase outlasts the resend delay.
		let id = crate::NextJobId::<Test>::get();
		assert_ok!(Inference::submit_job(
			RuntimeOrigin::signed(ALICE),
			model_id(1),
			input(),
			10 * PRICE,
			None,
			None,
			System::block_number() + 40,
		));
		run_to_block(System::block_number() + 1);
		hold_key_of(assigned(id)[0]);
		run_to_block(System::block_number() + 1);
		run_worker();
		// The transaction is lost (say the node restarted): the pool forgets it.
		assert_eq!(std::mem::take(&mut pool.write().transactions).len(), 1);
		run_to_block(System::block_number() + RESEND_AFTER as u64 - 1);
		run_worker();
		assert!(pool.read().transactions.is_empty(), "not before the resend delay");
		run_to_block(System::block_number() + 1);
		run_worker();
		let sent = apply_pool(&pool);
		assert_eq!(sent.len(), 1);
		assert!(is_commit(&sent[0]));
		assert_eq!(engine.runs.load(Ordering::SeqCst), 1, "re-sent, not re-run");
		assert_eq!(Jobs::<Test>::get(id).unwrap().commits, 1);
	});
}
