namespace Predictions.Worker.Metadata;

public static class MetadataExtensions
{
    /// <summary>The source the worker awaits item metadata from.</summary>
    public static IHostApplicationBuilder AddMetadata(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MetadataOptions>()
            .BindConfiguration(MetadataOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton<IMetadataSource, SimulatedMetadataSource>();
        return builder;
    }
}
