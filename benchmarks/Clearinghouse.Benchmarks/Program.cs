using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Clearinghouse.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
