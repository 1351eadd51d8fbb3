using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Predictions.Worker.Models.Onnx;

/// <summary>
/// How the worker feeds a model and reads it: one <c>[rows, features]</c> tensor in, one value per row out.
/// <see cref="Read"/> checks the model against the <c>Model:*</c> settings and names the setting at fault.
/// </summary>
public sealed record ModelSignature(
    string InputName,
    TensorElementType InputType,
    string OutputName,
    TensorElementType OutputType,
    IReadOnlyList<string> Features,
    bool SupportsBatching)
{
    public static ModelSignature Read(InferenceSession session, ModelOptions options)
    {
        var features = options.FeatureNames;
        var (inputName, input) = Choose(session.InputMetadata, options.InputName, "Model:InputName", "input");
        var (outputName, output) = Choose(session.OutputMetadata, options.OutputName, "Model:OutputName", "output");

        if (session.InputMetadata.Count > 1)
        {
            throw new InvalidModelException(
                $"Model:Path: the model needs {session.InputMetadata.Count} inputs ({Names(session.InputMetadata)}); "
                + $"the worker feeds it one, '{inputName}'.");
        }

        CheckElementType(input, $"Model:InputName: input '{inputName}'");
        CheckElementType(output, $"Model:OutputName: output '{outputName}'");

        var shape = input.Dimensions;
        if (shape.Length != 2)
        {
            throw new InvalidModelException(
                $"Model:InputName: input '{inputName}' has shape {Shape(input)}; the worker feeds a [rows, features] tensor (2 dimensions).");
        }

        if (shape[1] > 0 && shape[1] != features.Count)
        {
            throw new InvalidModelException(
                $"Model:Features lists {features.Count} ([{string.Join(", ", features)}]) "
                + $"but input '{inputName}' takes {shape[1]} values per row {Shape(input)}.");
        }

        if (shape[0] > 1)
        {
            throw new InvalidModelException(
                $"Model:InputName: input '{inputName}' has a fixed batch of {shape[0]} rows {Shape(input)}; "
                + "the worker needs a first dimension of 1 or a dynamic one.");
        }

        var outputShape = output.Dimensions;
        if (outputShape.Length is 0 or > 2 || outputShape.Length == 2 && outputShape[1] > 1)
        {
            throw new InvalidModelException(
                $"Model:OutputName: output '{outputName}' has shape {Shape(output)}; the worker reads one value per row: [rows] or [rows, 1].");
        }

        // A dynamic first dimension (-1, or a symbolic name) takes any number of rows in one run.
        return new ModelSignature(inputName, input.ElementDataType, outputName, output.ElementDataType, features, shape[0] < 0);
    }

    private static (string Name, NodeMetadata Metadata) Choose(
        IReadOnlyDictionary<string, NodeMetadata> nodes, string? wanted, string setting, string kind)
    {
        if (wanted is not null)
        {
            return nodes.TryGetValue(wanted, out var node)
                ? (wanted, node)
                : throw new InvalidModelException($"{setting}: the model has no {kind} '{wanted}'; its {kind}s are {Names(nodes)}.");
        }

        return nodes.Count == 1
            ? (nodes.Keys.Single(), nodes.Values.Single())
            : throw new InvalidModelException($"{setting} is required: the model has {nodes.Count} {kind}s ({Names(nodes)}); name the one to use.");
    }

    private static void CheckElementType(NodeMetadata node, string what)
    {
        if (!node.IsTensor || node.ElementDataType is not (TensorElementType.Float or TensorElementType.Double))
        {
            var type = node.IsTensor ? $"tensor({node.ElementDataType})" : node.OnnxValueType.ToString();
            throw new InvalidModelException($"{what} is {type}; the worker supports tensors of float or double.");
        }
    }

    private static string Names(IReadOnlyDictionary<string, NodeMetadata> nodes) => string.Join(", ", nodes.Keys.Select(n => $"'{n}'"));

    private static string Shape(NodeMetadata node) =>
        $"[{string.Join(", ", node.Dimensions.Select((d, i) =>
            d >= 0 ? $"{d}" : node.SymbolicDimensions.ElementAtOrDefault(i) is { Length: > 0 } name ? name : "?"))}]";
}
