// Per-row cost of an ONNX model on one thread, at batch sizes 1, 8 and 32, as the worker runs it.
// From the repository root: dotnet run models/measure_cost.cs -- models/item-scorer/1/model.onnx
#:package Microsoft.ML.OnnxRuntime
#:property PublishAot=false

using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

var path = args.Length > 0 ? args[0] : "models/item-scorer/1/model.onnx";
using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
using var session = new InferenceSession(path, options);
var (inputName, input) = session.InputMetadata.Single();
var width = input.Dimensions[^1];
var random = new Random(1);
var perRow = new Dictionary<int, double>();

Console.WriteLine($"{Path.GetFileName(path)}, one thread, {Environment.WorkingSet / 1_000_000} MB resident after loading:");
foreach (var batch in new[] { 1, 8, 32 })
{
    var values = Enumerable.Range(0, batch * width).Select(_ => random.NextDouble() * 10).ToArray();
    NamedOnnxValue[] inputs = [input.ElementDataType == TensorElementType.Double
        ? NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<double>(values, [batch, width]))
        : NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<float>(values.Select(v => (float)v).ToArray(), [batch, width]))];

    // Warm up, then take the best of several timed rounds: the machine is shared.
    for (var i = 0; i < 20; i++)
    {
        using var _ = session.Run(inputs);
    }

    var best = double.MaxValue;
    for (var round = 0; round < 7; round++)
    {
        var runs = Math.Max(10, 320 / batch);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < runs; i++)
        {
            using var _ = session.Run(inputs);
        }

        best = Math.Min(best, clock.Elapsed.TotalMilliseconds / (runs * batch));
    }

    perRow[batch] = best;
    Console.WriteLine($"  batch {batch,2}: {best:0.0000} ms per row" + (batch > 1 ? $", {perRow[1] / best:0.0}x less than alone" : ""));
}
