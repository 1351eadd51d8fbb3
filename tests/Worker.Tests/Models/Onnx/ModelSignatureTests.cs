using Predictions.Worker.Models;
using Predictions.Worker.Models.Onnx;

namespace Predictions.Worker.Tests.Models.Onnx;

/// <summary>Which models the worker can feed, from the small fixtures <c>models/make_models.py</c> writes to <c>Models/</c>.</summary>
public sealed class ModelSignatureTests
{
    private static readonly string Fixtures = Path.Combine(Predictions.Harness.Repository.Root, "tests", "Worker.Tests", "Models", "Onnx", "Models");

    [Fact]
    public void Two_inputs_and_no_input_name_fail_naming_Model_InputName()
    {
        var error = Assert.Throws<InvalidModelException>(() => Load("two-inputs.onnx"));

        Assert.Equal("Model:InputName is required: the model has 2 inputs ('a', 'b'); name the one to use.", error.Message);
    }

    [Fact]
    public void A_second_input_the_worker_cannot_feed_fails_even_with_an_input_name()
    {
        var error = Assert.Throws<InvalidModelException>(() => Load("two-inputs.onnx", inputName: "a"));

        Assert.StartsWith("Model:Path: the model needs 2 inputs ('a', 'b'); the worker feeds it one, 'a'.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_input_that_is_neither_float_nor_double_fails_naming_Model_InputName()
    {
        var error = Assert.Throws<InvalidModelException>(() => Load("int64-input.onnx"));

        Assert.Equal("Model:InputName: input 'ids' is tensor(Int64); the worker supports tensors of float or double.", error.Message);
    }

    [Fact]
    public void A_batch_fixed_at_one_row_is_served_one_input_per_run()
    {
        using var model = Load("single-row.onnx");

        Assert.False(model.SupportsBatching);
        Assert.Equal([-1.5], model.Predict([new ModelInput(1.5, new Dictionary<string, double>())]));
        Assert.Throws<ArgumentException>(() =>
            model.Predict([new ModelInput(1, new Dictionary<string, double>()), new ModelInput(2, new Dictionary<string, double>())]));
    }

    [Fact]
    public void Without_a_name_or_version_in_its_metadata_properties_the_graph_name_and_model_version_stand_in()
    {
        using var model = Load("single-row.onnx");

        Assert.Equal(("single-row", "1"), (model.Identity.Name, model.Identity.Version));
    }

    private static OnnxModel Load(string file, string? inputName = null) =>
        OnnxModel.Load(new ModelOptions { Backend = ModelBackend.Onnx, Path = file, InputName = inputName }, Fixtures);
}
