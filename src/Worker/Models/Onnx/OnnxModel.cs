using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Predictions.Contracts;

namespace Predictions.Worker.Models.Onnx;

/// <summary>
/// A model file run by ONNX Runtime on the CPU. One session, loaded once and shared by the pool's threads
/// (<c>Run</c> is thread-safe); each run uses only its calling thread, because the inference pool, not
/// ONNX Runtime, decides how many cores inference may take.
/// </summary>
public sealed class OnnxModel : IPredictionModel, IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    private OnnxModel(InferenceSession session, ModelSignature signature, ModelIdentity identity, string path)
    {
        _session = session;
        Signature = signature;
        Identity = identity;
        Path = path;
        _inputNames = [signature.InputName];
        _outputNames = [signature.OutputName];
    }

    public ModelIdentity Identity { get; }

    public bool SupportsBatching => Signature.SupportsBatching;

    public ModelSignature Signature { get; }

    /// <summary>The model file, as a full path.</summary>
    public string Path { get; }

    /// <summary>Loads and checks the model named by <c>Model:Path</c>; a relative path is taken from <paramref name="contentRoot"/>.</summary>
    public static OnnxModel Load(ModelOptions options, string contentRoot)
    {
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            throw new InvalidModelException("Model:Path is required when Model:Backend is Onnx: the .onnx file, e.g. models/doubling/2/model.onnx.");
        }

        var path = System.IO.Path.GetFullPath(options.Path, contentRoot);
        if (!File.Exists(path))
        {
            throw new InvalidModelException($"Model:Path: there is no model file at {path}.");
        }

        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };

        InferenceSession session;
        try
        {
            session = new InferenceSession(path, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidModelException($"Model:Path: ONNX Runtime cannot load {path} as a model: {ex.Message}", ex);
        }

        try
        {
            var signature = ModelSignature.Read(session, options);
            return new OnnxModel(session, signature, ModelIdentities.Resolve(options, session.ModelMetadata, path), path);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public IReadOnlyList<double> Predict(IReadOnlyList<ModelInput> inputs)
    {
        if (inputs.Count == 0)
        {
            return [];
        }

        if (inputs.Count > 1 && !SupportsBatching)
        {
            throw new ArgumentException($"the model {Identity.Name} takes one input per run, not {inputs.Count}", nameof(inputs));
        }

        long[] shape = [inputs.Count, Signature.Features.Count];
        using var input = Signature.InputType == TensorElementType.Double
            ? OrtValue.CreateTensorValueFromMemory(FeatureRows.Build<double>(inputs, Signature.Features), shape)
            : OrtValue.CreateTensorValueFromMemory(FeatureRows.Build<float>(inputs, Signature.Features), shape);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, _inputNames, [input], _outputNames);
        return Read(outputs[0]);
    }

    public void Dispose() => _session.Dispose();

    // One value per row: the inference pool checks the count against the inputs for every model.
    private double[] Read(OrtValue output)
    {
        if (Signature.OutputType == TensorElementType.Double)
        {
            return output.GetTensorDataAsSpan<double>().ToArray();
        }

        var values = output.GetTensorDataAsSpan<float>();
        var predictions = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            predictions[i] = values[i];
        }

        return predictions;
    }
}
