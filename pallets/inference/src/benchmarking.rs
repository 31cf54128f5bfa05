//! Benchmarks of the inference pallet (`frame_benchmarking::v2`), run as tests against the
//! mock. Every call is measured at its worst case: the largest replication, the longest
//! outputs compared element by element (`Tolerance`), settlements that report an offence for
//! every seat outside the smallest winning group, a nearly full agenda entry.

use super::*;
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::pallet_prelude::TransactionSource;
use frame_support::{
	traits::fungible::{Inspect, Mutate},
	weights::WeightMeter,
};
use frame_system::RawOrigin;
use pallet_verity_models::{ModelRegistry, ModelSpec};
use sp_runtime::traits::{Bounded, One, Zero};
use verity_primitives::contract::{commitment, NumericalContract};

const MANIFEST: ModelId = ModelId::repeat_byte(0x42);

fn max_k<T: Config>() -> u32 {
	MaxReplicationOf::<T>::get()
}

fn max_out<T: Config>() -> u32 {
	MaxOutputLenOf::<T>::get()
}

/// A lot of money, without overflowing when added up.
fn plenty<T: Config>() -> BalanceOf<T> {
	BalanceOf::<T>::max_value() / 1_000_000u32.into()
}

/// The benchmark model: Tolerance, the largest limits, the smallest replication, a royalty.
fn spec<T: Config>() -> ModelSpec<BalanceOf<T>> {
	ModelSpec {
		architecture: pallet_verity_models::Architecture::Mlp,
		max_input_len: MaxInputLenOf::<T>::get(),
		max_output_len: max_out::<T>(),
		price: T::Currency::minimum_balance().max(One::one()),
		replication: MinReplication::<T>::get(),
		quorum: T::Models::min_quorum(),
		contract: NumericalContract::Tolerance { eps: 1 },
		royalty: T::Models::max_royalty(),
		compute_blocks: 0,
	}
}

/// The id of the benchmark model.
fn model<T: Config>() -> ModelId {
	pallet_verity_models::model_id(&MANIFEST, &spec::<T>())
}

/// Register the benchmark model and make `n` operators serve it. Returns the operators.
/// (Delegators do not change what settlement costs here: offences are reported, and the
/// provider's deferred, O(1) slash is benchmarked by the operators pallet.)
fn set_up<T: Config>(n: u32) -> Vec<T::AccountId> {
	let owner: T::AccountId = account("owner", 0, 0);
	let id = T::Models::register_for_benchmark(&owner, MANIFEST, spec::<T>())
		.expect("the benchmark model registers");
	let stake = T::Currency::minimum_balance().max(One::one()) * 1_000u32.into();
	(0..n)
		.map(|i| {
			let operator: T::AccountId = account("operator", i, 0);
			T::Operators::set_up_operator(&operator, &id, stake);
			operator
		})
		.collect()
}

fn funded_submitter<T: Config>() -> T::AccountId {
	let who: T::AccountId = whitelisted_caller();
	T::Currency::set_balance(&who, plenty::<T>());
	who
}

fn now<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number()
}

/// The deadline the benchmarks use.
fn deadline<T: Config>() -> BlockNumberFor<T> {
	Pallet::<T>::schedule(now::<T>(), 0, Zero::zero()).earliest_deadline.saturating_add(One::one())
}

/// Submit a job replicated on `k` of `n` serving operators, not drawn yet; returns its id.
fn submitted_undrawn<T: Config>(n: u32, k: u32) -> JobId {
	set_up::<T>(n);
	let input = InputOf::<T>::truncate_from(vec![7u8; MaxInputLenOf::<T>::get() as usize]);
	let request = JobRequest {
		model: model::<T>(),
		input,
		max_fee: plenty::<T>(),
		replication: Some(k),
		quorum: None,
		deadline: deadline::<T>(),
	};
	let (job_id, _, _) = Pallet::<T>::do_submit(funded_submitter::<T>(), request)
		.expect("the benchmark job can be submitted");
	job_id
}

/// Submit a job replicated on `k` of `n` serving operators and draw it in the next block.
fn submitted<T: Config>(n: u32, k: u32) -> JobId {
	let job_id = submitted_undrawn::<T>(n, k);
	frame_system::Pallet::<T>::set_block_number(now::<T>().saturating_add(One::one()));
	Pallet::<T>::draw_pending();
	job_id
}

/// The output seat `seat` reveals in a settlement benchmark: the first `needed` seats agree,
/// the others dissent (each reported).
fn seat_output<T: Config>(job_id: JobId, seat: usize, len: u32) -> OutputOf<T> {
	let needed = Jobs::<T>::get(job_id).map(|j| j.seats_needed()).unwrap_or(1) as usize;
	let value = if seat < needed { 1u8 } else { 9u8 };
	OutputOf::<T>::truncate_from(vec![value; (len - len % 4) as usize])
}

/// An output of (about) `len` bytes that Tolerance compares in full.
fn output_of<T: Config>(len: u32) -> OutputOf<T> {
	OutputOf::<T>::truncate_from(vec![1u8; (len - len % 4) as usize])
}

fn salt(seat: usize) -> [u8; 32] {
	[seat as u8; 32]
}

fn operator_at<T: Config>(job_id: JobId, seat: usize) -> T::AccountId {
	Jobs::<T>::get(job_id)
		.and_then(|j| j.assignments.get(seat).map(|a| a.operator.clone()))
		.expect("the seat exists")
}

fn commit_as<T: Config>(job_id: JobId, seat: usize, output: &OutputOf<T>) {
	let operator = operator_at::<T>(job_id, seat);
	let c = commitment(output, &salt(seat), &operator.encode());
	frame_support::assert_ok!(Pallet::<T>::commit(RawOrigin::Signed(operator).into(), job_id, c));
}

fn reveal_as<T: Config>(job_id: JobId, seat: usize, output: &OutputOf<T>) {
	let operator = operator_at::<T>(job_id, seat);
	frame_support::assert_ok!(Pallet::<T>::do_reveal(operator, job_id, output.clone(), salt(seat)));
}

/// A fresh `infr` key owned by the operator in `seat` of `job_id`, as a signer of payloads.
fn attester<T: Config>(job_id: JobId, seat: usize) -> impl Fn(&[u8]) -> Attestation {
	use sp_runtime::RuntimeAppPublic;
	let key = verity_primitives::infr::Public::generate_pair(None);
	T::KeyOwner::set_owner(&key, &operator_at::<T>(job_id, seat));
	move |payload| Attestation {
		key: key.clone(),
		signature: key.sign(&payload).expect("the keystore holds the key"),
	}
}

/// Fill the agenda at the benchmark deadline with placeholder ids, leaving one slot.
fn crowd_agenda<T: Config>() {
	let filler: Vec<JobId> =
		(0..T::MaxJobsPerBlock::get().saturating_sub(1)).map(|i| u64::MAX - i as u64).collect();
	Agenda::<T>::insert(deadline::<T>(), BoundedVec::truncate_from(filler));
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// `n` serving operators to draw from (at least `MaxReplication`), `k` drawn, `i` input
	/// bytes.
	#[benchmark]
	fn submit_job(
		n: Linear<
			{ MaxReplicationOf::<T>::get() },
			{ <T::Operators as OperatorProvider<T::AccountId, BalanceOf<T>>>::MaxServing::get() },
		>,
		k: Linear<{ MinReplication::<T>::get() }, { MaxReplicationOf::<T>::get() }>,
		i: Linear<1, { MaxInputLenOf::<T>::get() }>,
	) {
		set_up::<T>(n);
		crowd_agenda::<T>();
		let caller = funded_submitter::<T>();
		let input = InputOf::<T>::truncate_from(vec![7u8; i as usize]);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller),
			model::<T>(),
			input,
			plenty::<T>(),
			Some(k),
			None,
			deadline::<T>(),
		);
		assert_eq!(Jobs::<T>::get(0).map(|j| j.replication), Some(k));
	}

	/// The draw of one job replicated on `k` among `n` serving operators, at the start of
	/// the block after its submission.
	#[benchmark]
	fn draw(
		n: Linear<
			{ MaxReplicationOf::<T>::get() },
			{ <T::Operators as OperatorProvider<T::AccountId, BalanceOf<T>>>::MaxServing::get() },
		>,
		k: Linear<{ MinReplication::<T>::get() }, { MaxReplicationOf::<T>::get() }>,
	) {
		let job_id = submitted_undrawn::<T>(n, k);
		frame_system::Pallet::<T>::set_block_number(now::<T>().saturating_add(One::one()));
		#[block]
		{
			Pallet::<T>::draw_pending();
		}
		assert_eq!(Jobs::<T>::get(job_id).map(|j| j.assignments.len() as u32), Some(k));
	}

	/// The operator in the last seat commits.
	#[benchmark]
	fn commit() {
		let k = max_k::<T>();
		let job_id = submitted::<T>(k, k);
		let seat = (k - 1) as usize;
		let operator = operator_at::<T>(job_id, seat);
		#[extrinsic_call]
		_(RawOrigin::Signed(operator), job_id, [1u8; 32]);
		assert_eq!(Jobs::<T>::get(job_id).map(|j| j.commits), Some(1));
	}

	/// A reveal of `o` bytes that does not settle the job.
	#[benchmark]
	fn reveal(o: Linear<4, { MaxOutputLenOf::<T>::get() }>) {
		let k = max_k::<T>().max(2);
		let job_id = submitted::<T>(k, k);
		let output = output_of::<T>(o);
		for seat in 0..k as usize {
			commit_as::<T>(job_id, seat, &output);
		}
		let seat = (k - 1) as usize;
		let operator = operator_at::<T>(job_id, seat);
		#[extrinsic_call]
		reveal(RawOrigin::Signed(operator), job_id, output, salt(seat));
		assert_eq!(Jobs::<T>::get(job_id).map(|j| j.reveals), Some(1));
	}

	/// The last of `k` reveals of `o` bytes: the smallest winning group agrees, every other
	/// seat dissents and is reported, the winners are paid.
	#[benchmark]
	fn reveal_and_settle(
		k: Linear<{ MinReplication::<T>::get() }, { MaxReplicationOf::<T>::get() }>,
		o: Linear<4, { MaxOutputLenOf::<T>::get() }>,
	) {
		let job_id = submitted::<T>(max_k::<T>(), k);
		for seat in 0..k as usize {
			commit_as::<T>(job_id, seat, &seat_output::<T>(job_id, seat, o));
		}
		for seat in 0..(k - 1) as usize {
			reveal_as::<T>(job_id, seat, &seat_output::<T>(job_id, seat, o));
		}
		let seat = (k - 1) as usize;
		let output = seat_output::<T>(job_id, seat, o);
		let operator = operator_at::<T>(job_id, seat);
		#[extrinsic_call]
		reveal(RawOrigin::Signed(operator), job_id, output, salt(seat));
		assert!(Results::<T>::contains_key(job_id));
	}

	/// The submitter cancels a job replicated on `k` operators.
	#[benchmark]
	fn cancel(k: Linear<{ MinReplication::<T>::get() }, { MaxReplicationOf::<T>::get() }>) {
		let job_id = submitted::<T>(max_k::<T>(), k);
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), job_id);
		assert!(!Jobs::<T>::contains_key(job_id));
	}

	/// The agenda walks `b` empty blocks behind its cursor: the intercept is its fixed cost per
	/// block, the slope the cost of visiting one agenda block.
	#[benchmark]
	fn service_agenda(b: Linear<1, 100>) {
		let now = now::<T>().saturating_add(200u32.into());
		frame_system::Pallet::<T>::set_block_number(now);
		AgendaCursor::<T>::put(now.saturating_sub((b - 1).into()));
		let mut meter = WeightMeter::new();
		#[block]
		{
			Pallet::<T>::service_agenda(now, &mut meter);
		}
		assert!(AgendaCursor::<T>::get().is_none());
	}

	/// A job of replication `k` reaches its deadline with `k − 1` reveals of `o` bytes and one
	/// silent seat: the smallest winning group is paid, every other seat reported.
	#[benchmark]
	fn settle_at_deadline(
		k: Linear<{ MinReplication::<T>::get() }, { MaxReplicationOf::<T>::get() }>,
		o: Linear<4, { MaxOutputLenOf::<T>::get() }>,
	) {
		let job_id = submitted::<T>(max_k::<T>(), k);
		let deadline = Jobs::<T>::get(job_id).map(|j| j.deadline).expect("submitted");
		for seat in 0..k as usize {
			commit_as::<T>(job_id, seat, &seat_output::<T>(job_id, seat, o));
		}
		for seat in 0..(k - 1) as usize {
			reveal_as::<T>(job_id, seat, &seat_output::<T>(job_id, seat, o));
		}
		frame_system::Pallet::<T>::set_block_number(deadline);
		let mut meter = WeightMeter::new();
		#[block]
		{
			Pallet::<T>::service_agenda(deadline, &mut meter);
		}
		assert!(!Jobs::<T>::contains_key(job_id));
	}

	/// One result of `MaxOutputLen` bytes and `MaxReplication` operators expires.
	#[benchmark]
	fn expire_result() {
		let k = max_k::<T>();
		let job_id = submitted::<T>(k, k);
		let output = output_of::<T>(max_out::<T>());
		for seat in 0..k as usize {
			commit_as::<T>(job_id, seat, &output);
		}
		for seat in 0..k as usize {
			reveal_as::<T>(job_id, seat, &output);
		}
		let expires_at = Results::<T>::get(job_id).map(|r| r.expires_at).expect("settled");
		frame_system::Pallet::<T>::set_block_number(expires_at);
		let mut meter = WeightMeter::new();
		#[block]
		{
			Pallet::<T>::expire_results(expires_at, &mut meter);
		}
		assert!(!Results::<T>::contains_key(job_id));
	}

	/// Validating an operator's attested commit: signature check, key owner lookup, the
	/// commit checks.
	#[benchmark]
	fn authorize_commit() -> Result<(), BenchmarkError> {
		let k = max_k::<T>();
		let job_id = submitted::<T>(k, k);
		let attest = attester::<T>(job_id, (k - 1) as usize);
		let commitment = [1u8; 32];
		let payload =
			attestation::commit_payload(&Pallet::<T>::genesis_hash(), job_id, &commitment);
		let call = Call::<T>::commit_attested { job_id, commitment, attestation: attest(&payload) };
		#[block]
		{
			use frame_support::pallet_prelude::Authorize;
			call.authorize(TransactionSource::External)
				.ok_or("commit_attested is authorized")?
				.map_err(|_| "the attestation is valid")?;
		}
		Ok(())
	}

	/// Validating an operator's attested reveal of `o` bytes: hashing the output, signature
	/// check, key owner lookup, the reveal checks (commitment recomputed).
	#[benchmark]
	fn authorize_reveal(
		o: Linear<4, { MaxOutputLenOf::<T>::get() }>,
	) -> Result<(), BenchmarkError> {
		let k = max_k::<T>().max(2);
		let job_id = submitted::<T>(k, k);
		let output = output_of::<T>(o);
		for seat in 0..k as usize {
			commit_as::<T>(job_id, seat, &output);
		}
		let seat = (k - 1) as usize;
		let attest = attester::<T>(job_id, seat);
		let payload =
			attestation::reveal_payload(&Pallet::<T>::genesis_hash(), job_id, &output, &salt(seat));
		let call = Call::<T>::reveal_attested {
			job_id,
			output,
			salt: salt(seat),
			attestation: attest(&payload),
		};
		#[block]
		{
			use frame_support::pallet_prelude::Authorize;
			call.authorize(TransactionSource::External)
				.ok_or("reveal_attested is authorized")?
				.map_err(|_| "the attestation is valid")?;
		}
		Ok(())
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::mock::ExtBuilder::default().build(),
		crate::mock::Test
	);
}
