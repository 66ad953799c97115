import { useId, useState } from 'preact/hooks';
import { t, useLang } from './app/i18n.js';
import './file-pick.css';

/** What a file input takes; `capture` opens the phone's camera. */
interface FilePickProps {
  label: string;
  /** The button's text, when "choose file" is not the clearest (the worker's camera). */
  button?: string;
  name: string;
  accept: string;
  capture?: 'user' | 'environment';
  multiple?: boolean;
  onFiles(files: File[]): void;
}

/**
 * A file input whose visible part is ours, in the user's language: Chromium draws its own
 * "Choose file / No file chosen" in the browser's language whatever the page's, so the real input
 * stays (focusable, named by the label, described by the chosen-file text) but is visually hidden.
 */
export function FilePick({ label, button, name, accept, capture, multiple, onFiles }: FilePickProps) {
  useLang();
  const [chosen, setChosen] = useState<File[]>([]);
  const chosenId = useId();
  const text = chosen.length === 0 ? t('shell.file.none') : chosen.length === 1 ? chosen[0]!.name : t('shell.file.several', { n: chosen.length });
  return (
    <div class="file-pick">
      <label class="file-pick-label">
        <span class="file-pick-caption">{label}</span>
        <input
          class="file-pick-input"
          type="file"
          name={name}
          accept={accept}
          capture={capture}
          multiple={multiple}
          aria-describedby={chosenId}
          onChange={(e) => {
            const files = Array.from(e.currentTarget.files ?? []);
            setChosen(files);
            onFiles(files);
          }}
        />
        <span class="file-pick-button" aria-hidden="true">
          {button ?? t('shell.file.choose')}
        </span>
      </label>
      <span class="file-pick-chosen" id={chosenId} data-testid="file-chosen">
        {text}
      </span>
    </div>
  );
}
