//! The pallets `verity-node benchmark pallet` measures (builds with `runtime-benchmarks` only).

frame_benchmarking::define_benchmarks!(
	[frame_system, SystemBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_sudo, Sudo]
	[pallet_verity_models, Models]
	[pallet_verity_inference, Inference]
	[pallet_verity_operators, Operators]
);

impl frame_system_benchmarking::Config for crate::Runtime {}
