using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Clearinghouse.Server.Api;

/// <summary>
/// Endpoint metadata documenting a body the handler reads itself (uploads, imports, free-form JSON). Unlike
/// <c>Accepts</c>, it does not make routing refuse other media types with a bare 415: the handler answers with a
/// precise problem instead (and, for HMA routes, with HMA's message).
/// </summary>
internal sealed record BodyDoc(string Description, IReadOnlyList<string> MediaTypes, string? FileField = null);

internal static class BodyDocExtensions
{
    /// <summary>Documents a multipart upload whose file travels in <paramref name="fileField"/>.</summary>
    public static TBuilder WithUploadDoc<TBuilder>(this TBuilder builder, string fileField, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyDoc(description, ["multipart/form-data"], fileField));

    /// <summary>Documents a text or JSON body read by the handler.</summary>
    public static TBuilder WithBodyDoc<TBuilder>(this TBuilder builder, string description, params string[] mediaTypes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyDoc(description, mediaTypes));

    /// <summary>Adds the documented body to the operation.</summary>
    public static Task Apply(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<BodyDoc>().FirstOrDefault() is not { } doc)
        {
            return Task.CompletedTask;
        }

        var body = new OpenApiRequestBody { Description = doc.Description, Required = true, Content = new Dictionary<string, OpenApiMediaType>() };
        foreach (var mediaType in doc.MediaTypes)
        {
            OpenApiSchema schema = doc.FileField is { } field
                ? new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Properties = new Dictionary<string, IOpenApiSchema> { [field] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                    Required = new HashSet<string> { field },
                }
                : mediaType.Contains("json", StringComparison.Ordinal) && !mediaType.Contains("nd", StringComparison.Ordinal)
                    ? new OpenApiSchema { Type = JsonSchemaType.Object }
                    : new OpenApiSchema { Type = JsonSchemaType.String };
            body.Content[mediaType] = new OpenApiMediaType { Schema = schema };
        }

        operation.RequestBody = body;
        return Task.CompletedTask;
    }
}
