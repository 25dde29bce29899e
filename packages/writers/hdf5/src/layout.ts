/**
 * The MilvusDM HDF5 layout, extended to every field: defined once in @milvusdm/core
 * (`hdf5Layout`, src/formats/hdf5-layout.ts), shared by the hdf5 reader and writer.
 */
import { hdf5Layout } from '@milvusdm/core';

export const { LAYOUT_VERSION, LAYOUT_ATTR, SCHEMA_ATTR, embeddingsField, baseName, fileLayout } = hdf5Layout;
export type PartRole = hdf5Layout.PartRole;
export type PartSpec = hdf5Layout.PartSpec;
export type FieldLayout = hdf5Layout.FieldLayout;
