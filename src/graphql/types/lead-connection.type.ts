import { Field, Int, ObjectType } from 'type-graphql';
import { LeadObject } from './lead.type.js';
import { PLAIN_FIELDS } from './plain-fields.js';

@ObjectType('LeadEdge', PLAIN_FIELDS)
export class LeadEdgeObject {
  @Field(() => String)
  cursor!: string;

  @Field(() => LeadObject)
  node!: LeadObject;
}

@ObjectType('PageInfo', PLAIN_FIELDS)
export class PageInfoObject {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType('LeadConnection', PLAIN_FIELDS)
export class LeadConnectionObject {
  @Field(() => [LeadEdgeObject])
  edges!: LeadEdgeObject[];

  @Field(() => PageInfoObject)
  pageInfo!: PageInfoObject;

  /** Counted only when asked for: a count is a second scan of the filtered leads. */
  @Field(() => Int, { description: 'All leads that match the filter, on every page.' })
  totalCount(): Promise<number> {
    return this.countTotal();
  }

  /** Not in the schema. */
  countTotal!: () => Promise<number>;
}
