using Microsoft.Extensions.Options;
using Predictions.Worker.Models;

namespace Predictions.Worker.Tests.Models.Onnx;

/// <summary><c>models/doubling/2/model.onnx</c> is the simulated model in ONNX: the very same doubles.</summary>
public sealed class DoublingModelTests
{
    private static readonly double[] Values = [0.1, -3.7, 1e10, 1e-300, 0, -0.0, 5, 1.5, 0.3, -1e300, double.Epsilon, 123456.789];

    private static readonly IReadOnlyList<ModelInput> Inputs =
        [.. Values.Select(value => new ModelInput(value, new Dictionary<string, double> { ["price"] = 1 }))];

    private static readonly SimulatedModel Simulated = new(Options.Create(new ModelOptions { SimulatedCost = TimeSpan.Zero }));

    [Fact]
    public void A_batch_gives_exactly_what_the_simulated_model_gives()
    {
        using var model = ShippedModels.Doubling();

        var predictions = model.Predict(Inputs);

        Assert.Equal(Simulated.Predict(Inputs), predictions);
        Assert.Equal(0.2, predictions[0]);
    }

    [Fact]
    public void One_input_at_a_time_gives_exactly_what_the_simulated_model_gives()
    {
        using var model = ShippedModels.Doubling();

        var predictions = Inputs.Select(input => Assert.Single(model.Predict([input]))).ToList();

        Assert.Equal(Simulated.Predict(Inputs), predictions);
    }

    [Fact]
    public void Its_dynamic_first_dimension_lets_it_take_batches()
    {
        using var model = ShippedModels.Doubling();

        Assert.True(model.SupportsBatching);
        Assert.Equal("features", model.Signature.InputName);
        Assert.Equal("prediction", model.Signature.OutputName);
        Assert.Empty(model.Predict([]));
    }

    [Fact]
    public void Threads_sharing_the_one_session_each_get_their_own_answers()
    {
        using var model = ShippedModels.Doubling();

        var results = new double[8][];
        Parallel.For(0, results.Length, i =>
            results[i] = [.. model.Predict([.. Inputs.Select(input => input with { FeatureValue = input.FeatureValue + i })])]);

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(Values.Select(value => 2 * (value + i)), results[i]);
        }
    }
}
