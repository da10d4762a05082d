import { readEnv } from "../_shared/env.ts";
import { createUploadPhotoDeps } from "./deps.ts";
import { createUploadPhotoHandler } from "./handler.ts";

Deno.serve(createUploadPhotoHandler(createUploadPhotoDeps(readEnv(Deno.env.toObject()))));
