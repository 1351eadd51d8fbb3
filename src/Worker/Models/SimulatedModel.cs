using Microsoft.Extensions.Options;
using Predictions.Contracts;

namespace Predictions.Worker.Models;

/// <summary>
/// The lesson's model: <c>prediction = 2 × featureValue</c> (a catalog's may use another factor), after <c>Model:SimulatedCost</c> of
/// blocking work: sleeping (the default) or computing on a core (<c>Model:SimulatedCostKind=Cpu</c>).
/// For fault tests it can crash the process on one chosen input (<c>Model:SimulatedCrashFeatureValue</c>, which
/// the worker refuses without <c>Model:AllowFaultInjection</c>).
/// </summary>
public sealed class SimulatedModel : IPredictionModel
{
    private readonly TimeSpan _sleep;
    private readonly long _cpuIterations;
    private readonly double? _crashOn;
    private readonly double _factor;

    public SimulatedModel(IOptions<ModelOptions> options)
        : this(new ModelIdentity { Name = "simulated", Version = "1" }, options.Value, factor: 2)
    {
    }

    /// <summary>A catalog's simulated model: <paramref name="model"/> gives its cost, and the fault-injection settings.</summary>
    public SimulatedModel(ModelIdentity identity, ModelOptions model, double factor)
    {
        Identity = identity;
        _factor = factor;
        _crashOn = model.SimulatedCrashFeatureValue;
        if (model.SimulatedCostKind == SimulatedCostKind.Cpu)
        {
            _cpuIterations = model.SimulatedCpuIterations
                ?? (model.SimulatedCost > TimeSpan.Zero ? CpuWork.IterationsFor(model.SimulatedCost) : 0);
        }
        else
        {
            _sleep = model.SimulatedCost;
        }
    }

    public ModelIdentity Identity { get; }

    // Its cost is per input: a batch would take as long as the inputs one after another.
    public bool SupportsBatching => false;

    public IReadOnlyList<double> Predict(IReadOnlyList<ModelInput> inputs) => [.. inputs.Select(Predict)];

    private double Predict(ModelInput input)
    {
        if (input.FeatureValue == _crashOn)
        {
            Environment.FailFast($"Simulated crash: featureValue {input.FeatureValue} is Model:SimulatedCrashFeatureValue.");
        }

        if (_sleep > TimeSpan.Zero)
        {
            Thread.Sleep(_sleep);
        }

        // 0 × the work's result keeps the work from being optimised away without changing the answer.
        var work = _cpuIterations > 0 ? CpuWork.Run(_cpuIterations) : 0;
        return (_factor * input.FeatureValue) + (0 * work);
    }
}
