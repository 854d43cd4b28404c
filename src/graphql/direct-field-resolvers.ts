import { type GraphQLFieldResolver, GraphQLScalarType, type GraphQLSchema, isObjectType } from 'graphql';
import { getMetadataStorage } from 'type-graphql';

type FieldResolverMetadata = ReturnType<typeof getMetadataStorage>['fieldResolvers'][number];
type ParamMetadata = NonNullable<FieldResolverMetadata['params']>[number];
type Resolve = GraphQLFieldResolver<unknown, unknown>;
/** A class, as type-graphql's metadata holds it. */
type AnyClass = abstract new (...args: never[]) => unknown;
/** One argument of the method, taken from what graphql-js passes a resolver; `undefined` when this file cannot take it as type-graphql would. */
type ParamReader = (root: unknown, args: Record<string, unknown>, context: unknown, info: unknown) => unknown;

/**
 * Calls the gateway's `@FieldResolver` methods directly instead of through
 * type-graphql's wrapper, which for every call builds a resolver-data object, asks its
 * container for the resolver, sorts a copy of the method's parameter list and maps it,
 * and converts the root: measurable garbage for a page of 50 leads, which resolves
 * about 600 of these fields (`bench/read/cpu-per-request.ts --allocations`).
 *
 * Done only where the direct call is what type-graphql would do, and the wrapper is
 * kept for the rest:
 * - no middleware and no `@Authorized` roles on the field (the gateway uses neither:
 *   its checks are in `field-guards.ts`, applied after this);
 * - a method of a resolver class (`@Resolver(() => Type)`) whose constructor takes
 *   nothing (type-graphql's default container makes one instance of it, as here), with
 *   parameters `@Root()`, `@Ctx()`, `@Info()` and `@Arg()`s of a scalar type without a
 *   validator of their own, which type-graphql passes as they come;
 * - or a getter of the object type itself (`get id()`), read on the root, or a method
 *   of it without parameters, called on the root.
 * A root that is not an instance of its object type is handed to type-graphql's own
 * resolver, which converts it first.
 */
export function directFieldResolvers(schema: GraphQLSchema): void {
  const storage = getMetadataStorage();
  const typeNames = new Map(storage.objectTypes.map((objectType) => [objectType.target, objectType.name]));
  const instances = new Map<AnyClass, object>();
  for (const metadata of storage.fieldResolvers) {
    const objectClass = metadata.getObjectType?.() as (new () => object) | undefined;
    const typeName = objectClass === undefined ? undefined : typeNames.get(objectClass);
    const type = typeName === undefined ? undefined : schema.getType(typeName);
    if (objectClass === undefined || !isObjectType(type)) continue;
    const field = type.getFields()[metadata.schemaName];
    const wrapped = field?.resolve;
    if (field === undefined || wrapped === undefined) continue;
    if ((metadata.middlewares?.length ?? 0) > 0 || (metadata.roles?.length ?? 0) > 0) continue;
    const direct = metadata.kind === 'internal' ? getterOf(objectClass, metadata.methodName, metadata.params ?? [], wrapped) : methodOf(metadata, objectClass, wrapped, instances);
    if (direct !== undefined) field.resolve = direct;
  }
}

/** A getter of the object type, or a method of it without parameters: read or called on a root of that type. */
function getterOf(objectClass: new () => object, name: string, params: readonly ParamMetadata[], wrapped: Resolve): Resolve | undefined {
  const descriptor = Object.getOwnPropertyDescriptor(objectClass.prototype, name);
  if (descriptor?.get !== undefined) {
    return (root, args, context, info) => (root instanceof objectClass ? (root as Record<string, unknown>)[name] : wrapped(root, args, context, info));
  }
  const method: unknown = descriptor?.value;
  if (typeof method !== 'function' || params.length > 0) return undefined;
  return (root, args, context, info) => (root instanceof objectClass ? (method as () => unknown).call(root) : wrapped(root, args, context, info));
}

/** A method of a resolver class, called with its parameters read as type-graphql reads them. */
function methodOf(metadata: FieldResolverMetadata, objectClass: new () => object, wrapped: Resolve, instances: Map<AnyClass, object>): Resolve | undefined {
  const resolverClass = metadata.target as new () => object;
  if (resolverClass.length !== 0) return undefined;
  const method: unknown = (resolverClass.prototype as Record<string, unknown>)[metadata.methodName];
  if (typeof method !== 'function') return undefined;
  const readers: ParamReader[] = [];
  let rootClass: AnyClass | undefined;
  for (const param of [...(metadata.params ?? [])].sort((a, b) => a.index - b.index)) {
    const reader = readerOf(param);
    if (reader === undefined) return undefined;
    if (param.kind === 'root') rootClass = rootTypeOf(param) ?? objectClass;
    readers.push(reader);
  }
  let instance = instances.get(resolverClass);
  if (instance === undefined) {
    instance = new resolverClass();
    instances.set(resolverClass, instance);
  }
  const call = callerOf(method as (...params: unknown[]) => unknown, instance, readers);
  if (call === undefined) return undefined;
  const convertsRoot = rootClass;
  return (root, args, context, info) =>
    convertsRoot !== undefined && root != null && !(root instanceof convertsRoot)
      ? wrapped(root, args, context, info)
      : call(root, args as Record<string, unknown>, context, info);
}

/** Calls `method` on `target` with each reader's value, without an array per call (up to four parameters, which covers ours). */
function callerOf(method: (...params: unknown[]) => unknown, target: object, readers: readonly ParamReader[]): ParamReader | undefined {
  const [a, b, c, d] = readers;
  switch (readers.length) {
    case 0:
      return () => method.call(target);
    case 1:
      return (r, x, y, z) => method.call(target, a!(r, x, y, z));
    case 2:
      return (r, x, y, z) => method.call(target, a!(r, x, y, z), b!(r, x, y, z));
    case 3:
      return (r, x, y, z) => method.call(target, a!(r, x, y, z), b!(r, x, y, z), c!(r, x, y, z));
    case 4:
      return (r, x, y, z) => method.call(target, a!(r, x, y, z), b!(r, x, y, z), c!(r, x, y, z), d!(r, x, y, z));
    default:
      return undefined;
  }
}

function readerOf(param: ParamMetadata): ParamReader | undefined {
  switch (param.kind) {
    case 'root':
      return param.propertyName === undefined ? (root) => root : undefined;
    case 'context':
      return param.propertyName === undefined ? (_root, _args, context) => context : undefined;
    case 'info':
      return (_root, _args, _context, info) => info;
    case 'arg': {
      // A scalar argument goes through type-graphql unchanged (validation looks at objects only);
      // an input object would be converted to its class, and an argument's own validateFn run.
      const argType: unknown = param.getType();
      if (param.validateFn !== undefined) return undefined;
      if (!(argType instanceof GraphQLScalarType) && argType !== String && argType !== Number && argType !== Boolean) return undefined;
      const name = param.name;
      return (_root, args) => args[name];
    }
    case 'args':
    case 'custom':
    case 'pubSub':
      return undefined;
  }
}

/** The class a `@Root()` parameter is declared with, when type-graphql converts the root to it. */
function rootTypeOf(param: ParamMetadata & { kind: 'root' }): AnyClass | undefined {
  const type: unknown = param.getType?.();
  return typeof type === 'function' && type !== Object ? (type as AnyClass) : undefined;
}
