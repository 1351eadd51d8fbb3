namespace Predictions.Worker.Inference;

public static class InferenceExtensions
{
    /// <summary>The model and the bounded pool of threads that runs it.</summary>
    public static IHostApplicationBuilder AddInference(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<InferenceOptions>()
            .BindConfiguration(InferenceOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton<IPredictionModel, SimulatedModel>();
        builder.Services.AddSingleton<InferencePool>();
        builder.Services.AddHostedService(services => services.GetRequiredService<InferencePool>());
        return builder;
    }
}
