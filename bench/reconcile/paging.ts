/** How many pages a listing takes: on AWS (its page sizes) and on moto (its own paging quirks). */
import { PAGE } from './parameters.js';

export const pages = (items: number, perPage: number) => Math.max(1, Math.ceil(items / perPage));

/**
 * Pages moto 5.x returns for one GetResources query: it ends a page before the tag count of the
 * page would reach TagsPerPage (default 100, and edaguard sends ResourcesPerPage, not TagsPerPage),
 * so 1-tag resources come 99 to a page and 2-tag resources 49.
 */
export function motoGetResourcesPages(
  tagCounts: readonly number[],
  resourcesPerPage = 100,
  tagsPerPage = 100,
) {
  let count = 0;
  let i = 0;
  let leftover: number | undefined;
  do {
    count += 1;
    let resources = 0;
    let tags = 0;
    if (leftover !== undefined) {
      resources = 1;
      tags = leftover;
      leftover = undefined;
    }
    while (i < tagCounts.length) {
      const t = tagCounts[i++] as number;
      if (resources >= resourcesPerPage || tags + t >= tagsPerPage) {
        leftover = t;
        break;
      }
      resources += 1;
      tags += t;
    }
  } while (leftover !== undefined);
  return count;
}

/** moto's SNS pages hold 100 and end with an empty page when the last one is full. */
export const motoSnsPages = (items: number) => Math.floor(items / PAGE.subscriptions) + 1;
